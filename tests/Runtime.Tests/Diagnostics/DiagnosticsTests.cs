using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ArActors.Runtime.Diagnostics;

namespace ArActors.Runtime.Tests.Diagnostics;

public sealed class DiagnosticsTests
{
    private const string HitMethod = "ArActors.Runtime.Tests.Diagnostics.IMeteredGrain.Hit";
    private const string RelayMethod = "ArActors.Runtime.Tests.Diagnostics.IMeteredGrain.Relay";

    [Fact]
    public async Task Every_call_is_counted_timed_and_traced()
    {
        var calls = 0L;
        var durations = new ConcurrentBag<double>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RuntimeInstruments.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "aractors.grain.calls" && HasMethodTag(tags))
            {
                Interlocked.Add(ref calls, value);
            }
        });
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "aractors.grain.call.duration" && HasMethodTag(tags))
            {
                durations.Add(value);
            }
        });
        meters.Start();
        var spans = new ConcurrentBag<Activity>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RuntimeInstruments.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.OperationName is HitMethod or RelayMethod)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(traces);
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("metered");

        for (var i = 0; i < 3; i++)
        {
            await cluster.GetGrain<IMeteredGrain>(key).Hit();
        }

        var other = Clusters.NewKey("metered");
        await cluster.GetGrain<IMeteredGrain>(key).Relay(other);

        Assert.Equal(4, Interlocked.Read(ref calls));
        Assert.Equal(4, durations.Count);
        Assert.Equal(3, spans.Count(s => s.OperationName == HitMethod && (string?)s.GetTagItem("aractors.grain.key") == key));
        var relay = Assert.Single(spans, s => s.OperationName == RelayMethod && (string?)s.GetTagItem("aractors.grain.key") == key);
        var nested = Assert.Single(spans, s => (string?)s.GetTagItem("aractors.grain.key") == other);
        Assert.Equal(relay.SpanId, nested.ParentSpanId);
    }

    private static bool HasMethodTag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "method" && (string?)tag.Value == HitMethod)
            {
                return true;
            }
        }

        return false;
    }
}
