using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ArActors.Silo.Hosting;

public static class HostingExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Turns the bare <c>--demo</c> switch into configuration (demo mode, and the simulator every 5 s unless the command
    /// line sets its interval); everything else is ordinary key=value. Demo mode set any other way runs no simulator unless asked.
    /// </summary>
    public static string[] NormalizeArguments(string[] args)
    {
        var simulatorSet = args.Any(a => a.Contains(nameof(ArActorsOptions.DemoSimulatorSeconds), StringComparison.OrdinalIgnoreCase));
        return [.. args.SelectMany(a => a == "--demo"
            ? simulatorSet
                ? [$"--{ArActorsOptions.SectionName}:{nameof(ArActorsOptions.Demo)}=true"]
                : new[] { $"--{ArActorsOptions.SectionName}:{nameof(ArActorsOptions.Demo)}=true", $"--{ArActorsOptions.SectionName}:{nameof(ArActorsOptions.DemoSimulatorSeconds)}={ArActorsOptions.DefaultDemoSimulatorSeconds}" }
            : [a])];
    }

    public static IHostApplicationBuilder AddArActorsHost(this IHostApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable("ARACTORS_DEMO") is "1" or "true" or "True")
        {
            builder.Configuration[$"{ArActorsOptions.SectionName}:{nameof(ArActorsOptions.Demo)}"] = "true";
        }

        builder.Services.AddOptions<ArActorsOptions>()
            .Bind(builder.Configuration.GetSection(ArActorsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => StoreSelection.From(builder.Configuration, sp.GetRequiredService<IOptions<ArActorsOptions>>().Value, builder.Environment.ContentRootPath));
        builder.Services.AddHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        return builder;
    }

    public static IEndpointRouteBuilder MapArActorsHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return endpoints;
    }

    /// <summary>
    /// Validates configuration and the store, printing one clear line and returning false when the process cannot run.
    /// </summary>
    public static async Task<bool> CheckStartupAsync(this WebApplication app)
    {
        ArActorsOptions options;
        try
        {
            options = app.Services.GetRequiredService<IOptions<ArActorsOptions>>().Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"ArActors cannot start: invalid configuration in section '{ArActorsOptions.SectionName}': {ex.InnerException?.Message ?? ex.Message}");
            return false;
        }

        try
        {
            app.Services.GetRequiredService<ArActors.Grains.Aging.AgingPolicy>();
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"ArActors cannot start: invalid aging buckets in section '{AgingOptions.SectionName}': {ex.Message}");
            return false;
        }

        if (options.TestClock && app.Environment.IsProduction())
        {
            await Console.Error.WriteLineAsync($"ArActors cannot start: {ArActorsOptions.SectionName}:{nameof(ArActorsOptions.TestClock)} is for tests and is refused in the Production environment (set ASPNETCORE_ENVIRONMENT to Development or Testing).");
            return false;
        }

        var selection = app.Services.GetRequiredService<StoreSelection>();
        if (ClusterRole.ProblemWith(app.Configuration, options, selection) is { } roleProblem)
        {
            await Console.Error.WriteLineAsync($"ArActors cannot start: {roleProblem}");
            return false;
        }

        if (await StartupCheck.ProblemWithAsync(selection, options) is { } problem)
        {
            await Console.Error.WriteLineAsync($"ArActors cannot start: {problem}");
            return false;
        }

        app.Logger.LogInformation("ArActors {Role} using {Store}{Demo}{Clock}", options.Role, selection.Description, options.Demo ? " (demo mode)" : "", options.TestClock ? " with a test clock" : "");
        return true;
    }
}
