using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ArActors.Api.Tests.OpenApi;

public sealed class OpenApiDocumentTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("aractors-openapi-").FullName;
    private readonly WebApplicationFactory<Program> _factory;

    public OpenApiDocumentTests() =>
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.UseSetting("ConnectionStrings:Postgres", "").UseSetting("ArActors:DataDirectory", _dataDirectory));

    [Fact]
    public async Task The_document_lists_the_api_operations_and_both_security_schemes()
    {
        using var client = _factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var root = document.RootElement;
        Assert.Equal("ArActors API", root.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal("GetCaller", root.GetProperty("paths").GetProperty("/api/v1/me").GetProperty("get").GetProperty("operationId").GetString());
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Posts_that_create_or_move_money_document_the_idempotency_key_and_reads_do_not()
    {
        using var client = _factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var paths = document.RootElement.GetProperty("paths");
        var payment = paths.GetProperty("/api/v1/accounts/{customerId}/payments").GetProperty("post");
        Assert.Contains(payment.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        Assert.True(payment.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        var read = paths.GetProperty("/api/v1/accounts/{customerId}").GetProperty("get");
        Assert.DoesNotContain(read.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
    }

    [Fact]
    public async Task Swagger_ui_is_served_and_points_at_the_document()
    {
        using var client = _factory.CreateClient();

        var page = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        var initializer = await client.GetStringAsync(new Uri("/swagger/index.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/openapi/v1.json", initializer, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
