using ArActors.Api.Events;
using Microsoft.AspNetCore.SignalR;

namespace ArActors.Api.Hub;

/// <summary>
/// One hub connection as a fan-out subscriber. Sends through the hub context, so it outlives the hub instance of the
/// call that subscribed it.
/// </summary>
internal sealed class HubClientSubscriber<THub>(HubCallerContext connection, IHubContext<THub> hubContext) : IEventSubscriber
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    public string Id => connection.ConnectionId;

    public Task SendAsync(EventMessage message, CancellationToken cancellationToken) =>
        hubContext.Clients.Client(connection.ConnectionId).SendAsync(EventsHubMessages.Event, message, cancellationToken);

    public async Task ResyncAndCloseAsync(ResyncRequired message, CancellationToken cancellationToken)
    {
        try
        {
            await hubContext.Clients.Client(connection.ConnectionId).SendAsync(EventsHubMessages.Resync, message, cancellationToken);
        }
        finally
        {
            connection.Abort();
        }
    }
}
