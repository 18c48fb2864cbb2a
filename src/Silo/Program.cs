using ArActors.Api.Accounts;
using ArActors.Api.Dashboard;
using ArActors.Api.Hub;
using ArActors.Api.Idempotency;
using ArActors.Api.Imports;
using ArActors.Api.Ledger;
using ArActors.Api.OpenApi;
using ArActors.Api.Reporting;
using ArActors.Api.Security;
using ArActors.Api.Webhooks;
using ArActors.Api.Workflow;
using ArActors.Silo.Demo;
using ArActors.Silo.Hosting;
using ArActors.Silo.Testing;

var builder = WebApplication.CreateBuilder(HostingExtensions.NormalizeArguments(args));
builder.AddArActorsHost();
builder.AddArActorsTestClock();
builder.AddArActorsEngine();
builder.AddArActorsSecurity();
builder.AddArActorsOpenApi();
builder.AddArActorsIdempotency();
builder.AddArActorsLedgerApi();
builder.AddArActorsDisputes();
builder.AddArActorsLatePayment();
builder.Services.AddArActorsImports();
builder.AddArActorsWebhooks();
builder.AddArActorsEvents();
builder.AddArActorsReporting();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDashboard();
app.UseArActorsSecurity();
app.UseArActorsIdempotency();
app.MapArActorsHealth();
app.MapArActorsCluster();
app.MapMeApi();
app.MapLedgerApi();
app.MapWorkflowApi();
app.MapImportApi();
app.MapWebhookApi();
app.MapReportingApi();
app.MapAccountListApi();
app.MapDemoApi();
app.MapTestClockApi();
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
