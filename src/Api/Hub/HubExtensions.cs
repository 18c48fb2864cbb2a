using ArActors.Api.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Hub;

public static class HubExtensions
{
    /// <summary>The topic rule, the per-process fan-out, announcements, SignalR, and re-validation of connected credentials.</summary>
    public static IHostApplicationBuilder AddArActorsEvents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EventHubOptions>().Bind(builder.Configuration.GetSection(EventHubOptions.SectionName));
        services.TryAddSingleton<IAccountReadScope, RoleOnlyAccountReadScope>();
        services.AddSingleton<EventTopics>();
        services.AddSingleton<EventFanout>();
        services.AddSingleton<AnnouncementPublisher>();
        services.AddOptions<HubSessionOptions>().Bind(builder.Configuration.GetSection(HubSessionOptions.SectionName));
        services.TryAddSingleton<IUserStandingSource, SignedUserStanding>();
        services.AddSingleton<HubSessions>();
        services.AddHostedService(sp => sp.GetRequiredService<HubSessions>());
        services.AddSingleton<HubSessionFilter>();
        services.AddSignalR(o => o.AddFilter<HubSessionFilter>());
        return builder;
    }

    /// <summary><c>GET /api/v1/events</c>, <c>POST /api/v1/announcements</c>, the dashboards' hub at <c>/hubs/collections</c> and the topic hub at <c>/hubs/events</c>.</summary>
    public static WebApplication MapArActorsEvents(this WebApplication app)
    {
        app.MapEventsApi();
        app.MapHub<EventsHub>(EventsHub.Path).RequireAuthorization();
        app.MapHub<CollectionsHub>(CollectionsHub.Path).RequireAuthorization();
        return app;
    }
}
