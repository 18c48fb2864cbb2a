using ArActors.Api.Dashboard;
using ArActors.Api.Hub;
using ArActors.Api.Idempotency;
using ArActors.Api.OpenApi;
using ArActors.Api.Security;
using ArActors.Silo.Hosting;

var builder = WebApplication.CreateBuilder(HostingExtensions.NormalizeArguments(args));
builder.AddArActorsHost();
builder.AddArActorsEngine();
builder.AddArActorsSecurity();
builder.AddArActorsOpenApi();
builder.AddArActorsIdempotency();
builder.AddArActorsEvents();

var app = builder.Build();
app.UseStatusCodePages();
app.UseDashboard();
app.UseArActorsSecurity();
app.UseArActorsIdempotency();
app.MapArActorsHealth();
app.MapMeApi();
app.MapArActorsEvents();
app.MapArActorsOpenApi();

if (!await app.CheckStartupAsync())
{
    return 1;
}

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
