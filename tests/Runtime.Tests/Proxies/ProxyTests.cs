using System.Text.Json;
using ArActors.Generated.ArActors_Runtime_Tests;
using ArActors.Runtime.Invocation;

namespace ArActors.Runtime.Tests.Proxies;

public sealed class ProxyTests
{
    private static readonly Invoice Invoice = new("INV-77", new DateOnly(2026, 2, 1), [new InvoiceLine("A", 100m), new InvoiceLine("B", 25.5m)]);

    [Fact]
    public async Task Proxy_calls_methods_returning_task_task_of_t_valuetask_and_valuetask_of_t()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IShapesGrain>("ACME-001/INV-77");

        await grain.Touch();
        await grain.Ping(CancellationToken.None);
        var amended = await grain.Amend(Invoice, new InvoiceLine("C", 1m), 2, "-R");
        var total = await grain.Total(Invoice, 5.5m);

        Assert.Equal(2, await grain.Touches());
        Assert.Equal("INV-77-R", amended.Number);
        Assert.Equal(["A", "B", "C", "C"], amended.Lines.Select(l => l.Sku));
        Assert.Equal(120m, total);
        Assert.Equal("sms#2", await grain.Describe(new Reminder("sms", 2)));
        Assert.Equal("abab", await grain.Describe("ab", 2));
    }

    [Fact]
    public async Task Cancelled_token_passed_to_a_grain_method_cancels_the_call()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IShapesGrain>(Clusters.NewKey("cancel"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grain.Ping(new CancellationToken(canceled: true)).AsTask());
    }

    [Fact]
    public async Task Request_types_round_trip_through_system_text_json_and_can_be_invoked_by_method_id()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("json");
        var request = new IShapesGrain_AmendRequest { Invoice = Invoice, Extra = new InvoiceLine("Z", 9m), Copies = 1, Note = null };

        var json = JsonSerializer.Serialize(request, cluster.Silo.SerializerOptions);
        Assert.True(cluster.Silo.Registry.TryGetMethod("ArActors.Runtime.Tests.Proxies.IShapesGrain.Amend", out var method));
        var copy = (IShapesGrain_AmendRequest)JsonSerializer.Deserialize(json, method.RequestType, cluster.Silo.SerializerOptions)!;

        Assert.Equal(Invoice.Number, copy.Invoice.Number);
        Assert.Equal(Invoice.Lines, copy.Invoice.Lines);
        Assert.Equal(new InvoiceLine("Z", 9m), copy.Extra);
        Assert.Equal(1, copy.Copies);
        Assert.Null(copy.Note);
        var result = await cluster.Silo.InvokeAsync(cluster.Silo.GetGrainId<IShapesGrain>(key), copy);
        Assert.Equal(["A", "B", "Z"], result.Lines.Select(l => l.Sku));
    }

    [Fact]
    public void Overloads_get_distinct_stable_method_ids()
    {
        Assert.Equal("ArActors.Runtime.Tests.Proxies.IShapesGrain.Describe(ArActors.Runtime.Tests.Proxies.Reminder)", IShapesGrain_DescribeRequest.Id);
        Assert.Equal("ArActors.Runtime.Tests.Proxies.IShapesGrain.Describe(string,int)", IShapesGrain_Describe1Request.Id);
        Assert.Equal(InvocationFlags.ReadOnly, new IExclusiveProbeGrain_IProbeGrain_HoldReadOnlyRequest { Label = "x" }.Flags);
    }
}
