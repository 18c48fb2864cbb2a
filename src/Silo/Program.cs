using ArActors.Api.Dashboard;
using ArActors.Silo.Hosting;

var builder = WebApplication.CreateBuilder(HostingExtensions.NormalizeArguments(args));
builder.AddArActorsHost();

var app = builder.Build();
app.MapArActorsHealth();
app.UseDashboard();

if (!await app.CheckStartupAsync())
{
    return 1;
}

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
