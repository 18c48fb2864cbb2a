using ArActors.Api.Security;
using ArActors.Silo.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArActors.Silo.Testing;

/// <summary>Move the test clock by whole days, or to an instant or date (midnight UTC); exactly one of the two.</summary>
public sealed record TestClockAdvance(int? Days, string? To);

public sealed record TestClockState(DateTimeOffset Now, TimeSpan Offset);

/// <summary>
/// <c>ArActors:TestClock=true</c> (refused at start in the Production environment) makes the engine's clock a
/// <see cref="TestClock"/> and maps admin-only <c>GET|POST /api/v1/test-clock</c>; without it nothing is registered or mapped.
/// </summary>
public static class TestClockEndpoints
{
    public static bool IsRequested(IConfiguration configuration) =>
        configuration.GetValue<bool>($"{ArActorsOptions.SectionName}:{nameof(ArActorsOptions.TestClock)}");

    /// <summary>Registers the test clock as the engine's <see cref="TimeProvider"/>; call before the silo is added.</summary>
    public static IHostApplicationBuilder AddArActorsTestClock(this IHostApplicationBuilder builder)
    {
        // Never in Production: the start-up check then refuses the setting, and the real clock stays.
        if (IsRequested(builder.Configuration) && !builder.Environment.IsProduction())
        {
            var clock = new TestClock();
            builder.Services.AddSingleton(clock);
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapTestClockApi(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<TestClock>() is null)
        {
            return endpoints;
        }

        var api = endpoints.MapGroup("/api/v1/test-clock").RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithTags("Test clock");
        api.MapGet("/", (TestClock clock) => TypedResults.Ok(new TestClockState(clock.GetUtcNow(), clock.Offset)))
            .WithName("GetTestClock").WithSummary("Test clock only: the engine's current time and how far it was advanced.");
        api.MapPost("/advance", Advance)
            .WithName("AdvanceTestClock").WithSummary("Test clock only: moves the engine's clock forward; reminders and timers that fall due run once.");
        return endpoints;
    }

    private static Results<Ok<TestClockState>, ValidationProblem> Advance(TestClockAdvance request, TestClock clock)
    {
        var now = clock.GetUtcNow();
        TimeSpan delta;
        if (request.Days is not null == request.To is not null)
        {
            return Invalid("days", "give either days (a whole number of days) or to (an instant or a date), not both or neither.");
        }

        if (request.Days is { } days)
        {
            if (days is < 1 or > 3650)
            {
                return Invalid("days", "must be between 1 and 3650.");
            }

            delta = TimeSpan.FromDays(days);
        }
        else
        {
            DateTimeOffset target;
            if (DateOnly.TryParseExact(request.To, "yyyy-MM-dd", out var date))
            {
                target = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }
            else if (!DateTimeOffset.TryParse(request.To, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out target))
            {
                return Invalid("to", "must be an ISO 8601 instant (2026-03-01T09:00:00Z) or a date (2026-03-01).");
            }

            if (target <= now)
            {
                return Invalid("to", $"must be later than the engine's current time {now:O}: the clock never goes back.");
            }

            delta = target - now;
        }

        var moved = clock.Advance(delta);
        return TypedResults.Ok(new TestClockState(moved, clock.Offset));
    }

    private static ValidationProblem Invalid(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] }, title: "The request is not valid", detail: $"{field} {reason}");
}
