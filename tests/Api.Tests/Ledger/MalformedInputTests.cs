using System.Net;
using System.Net.Http.Json;
using System.Text;
using ArActors.Api.Security;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Ledger;

/// <summary>
/// Every POST and PUT the engine maps under /api/v1 (found from its route table, so new endpoints are covered too) gets
/// malformed bodies: each answer is a 4xx problem+json and nothing is committed to any event topic.
/// </summary>
public sealed class MalformedInputTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private const string Account = "MAL-1";

    private static readonly string Huge = new('A', 200_000);

    private static readonly (string Name, string ContentType, string Body)[] Bodies =
    [
        ("truncated JSON", "application/json", """{"number":"INV-9","amount":"""),
        ("empty body", "application/json", ""),
        ("null", "application/json", "null"),
        ("a number", "application/json", "42"),
        ("wrong types", "application/json",
            """{"customerId":12,"name":[],"number":[],"paymentId":{},"amount":"lots","currency":5,"issueDate":true,"valueDate":3,"method":"teleport","status":"sleepy","terms":"net30","contacts":"x","reason":42,"message":7,"severity":[],"writeOffId":1,"allocationId":1,"creditId":1}"""),
        ("missing fields", "application/json", "{}"),
        ("bad dates", "application/json", """{"number":"INV-9","issueDate":"2026-02-30","paymentId":"P-9","valueDate":"31/01/2026","amount":5,"method":"card","creditId":"C-9","creditDate":"yesterday","reason":"x"}"""),
        ("bad currency and negative amount", "application/json", """{"number":"INV-9","issueDate":"2026-02-01","paymentId":"P-9","valueDate":"2026-02-01","method":"card","amount":-5,"currency":"XXXX","writeOffId":"W-9","invoiceNumber":"INV-1","creditId":"C-9","creditDate":"2026-02-01","allocationId":"A-9","reason":"x"}"""),
        ("huge values", "application/json", $$"""{"number":"{{Huge}}","paymentId":"{{Huge}}","amount":1e400,"issueDate":"2026-02-01","valueDate":"2026-02-01","method":"card","reason":"{{Huge}}","message":"{{Huge}}","writeOffId":"{{Huge}}","creditId":"{{Huge}}","customerId":"{{Huge}}"}"""),
        ("wrong content type", "text/plain", """{"number":"INV-9","issueDate":"2026-02-01","amount":5}"""),
    ];

    [Fact]
    public async Task Every_write_endpoint_answers_malformed_input_with_a_4xx_problem_and_commits_nothing()
    {
        var admin = host.As("admin-1", Roles.Admin);
        (await admin.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(Account))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/accounts/{Account}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 100m })).EnsureSuccessStatusCode();

        var endpoints = host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT").Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .Distinct()
            .ToList();
        Assert.True(endpoints.Count >= 20, $"found only {endpoints.Count} write endpoints");

        var store = host.Factory.Services.GetRequiredService<IDurableStore>();
        var failures = new List<string>();
        foreach (var (method, pattern) in endpoints)
        {
            var path = FillRoute(pattern);
            foreach (var (name, contentType, body) in Bodies)
            {
                if (pattern.EndsWith("/imports", StringComparison.Ordinal) || pattern.EndsWith("/imports/", StringComparison.Ordinal))
                {
                    path = "/api/v1/imports?format=invoices";
                }

                var before = await Sequences(store);
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
                var response = await admin.SendAsync(request);
                var after = await Sequences(store);
                var status = (int)response.StatusCode;
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{method} {pattern} with {name}: {status}");
                }
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{method} {pattern} with {name}: {status} as {response.Content.Headers.ContentType?.MediaType ?? "no body"}");
                }

                if (after != before)
                {
                    failures.Add($"{method} {pattern} with {name}: committed events ({before} -> {after})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string FillRoute(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, "{([^}:]+)[^}]*}", m => m.Groups[1].Value switch
        {
            "customerId" => Account,
            _ => "NO-SUCH",
        });

    private static async Task<string> Sequences(IDurableStore store)
    {
        var topics = new[] { "ledger", "account/" + Account, "imports", "announcements" };
        var values = await Task.WhenAll(topics.Select(t => store.GetLastSequenceAsync(t)));
        return string.Join(",", values);
    }
}
