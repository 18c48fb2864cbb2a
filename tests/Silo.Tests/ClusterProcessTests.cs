using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ArActors.Runtime.Clustering;
using ArActors.Silo.Tests.Faults;
using ArActors.TestKit;
using Npgsql;

namespace ArActors.Silo.Tests;

/// <summary>
/// Three real silo processes (role Silo) and an API-only process (role Api) on one throwaway PostgreSQL database. A
/// bounded load of account openings runs through the API node while one silo is killed with SIGKILL. Invoice grains'
/// aging reminders owned by the killed silo are made due seconds after the kill: the survivors must deliver them.
/// </summary>
public sealed class ClusterProcessTests(PostgresDatabase database, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("aractors-cluster-").FullName;
    private readonly List<Process> _processes = [];

    [Fact]
    public async Task Killing_one_of_three_silos_loses_no_acknowledged_write_its_grains_answer_within_10_seconds_and_its_reminders_fire_on_survivors()
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var ports = Enumerable.Range(0, 4).Select(_ => FreePort.Next()).ToArray();
        for (var i = 0; i < ports.Length; i++)
        {
            _processes.Add(StartNode(ports[i], signingKey, i < 3 ? "Silo" : "Api"));
        }

        var clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(40) }).ToArray();
        var apiNode = clients[3];
        await WaitUntilAsync(async () => (await Task.WhenAll(clients.Select(IsReadyAsync))).All(r => r), TimeSpan.FromSeconds(60), "three silos and the API node ready");
        await WaitUntilAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM aractors.membership WHERE status = 1") == 3, TimeSpan.FromSeconds(30), "three Active rows");
        await Task.Delay(TimeSpan.FromSeconds(2));   // every silo's next heartbeat round reads the three rows (1 s period)

        var token = await SignInAsync(apiNode);
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // Invoices on 30 accounts: each invoice grain keeps an aging reminder, spread over the three silos by hash.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var i = 0; i < 30; i++)
        {
            var id = $"R-{i:D2}";
            using var opened = await apiNode.PostAsJsonAsync(new Uri("/api/v1/accounts", UriKind.Relative), Account(id));
            Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
            using var issued = await apiNode.PostAsJsonAsync(
                new Uri($"/api/v1/accounts/{id}/invoices", UriKind.Relative),
                new { number = $"RINV-{i:D2}", issueDate = today.AddDays(-40).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), amount = 500m, currency = "EUR" });
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        }

        await WaitUntilAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM aractors.reminders WHERE grain_type = 'invoice'") >= 30, TimeSpan.FromSeconds(30), "30 invoice reminders registered");

        // Load: 90 openings through the API node, the third silo killed after the first 30.
        var acknowledged = new List<string>();
        var refused = 0;
        var killedAt = TimeSpan.Zero;
        var killedReminders = new Dictionary<string, DateTimeOffset>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 90; i++)
        {
            if (i == 30)
            {
                killedReminders = await MakeDueSoonAsync(ports[2]);
                _processes[2].Kill(entireProcessTree: true);   // SIGKILL
                await _processes[2].WaitForExitAsync();
                killedAt = clock.Elapsed;
            }

            var id = $"C-{i:D3}-{Guid.NewGuid():N}"[..20];
            try
            {
                using var response = await apiNode.PostAsJsonAsync(new Uri("/api/v1/accounts", UriKind.Relative), Account(id));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Add(id);
                }
                else
                {
                    refused++;
                }
            }
            catch (HttpRequestException)
            {
                refused++;
            }
        }

        // Every acknowledged opening is readable through the API node, the dead silo's accounts included, within 10 s.
        await WaitUntilAsync(
            async () =>
            {
                foreach (var id in acknowledged)
                {
                    using var response = await apiNode.GetAsync(new Uri($"/api/v1/accounts/{id}", UriKind.Relative));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(30),
            "every acknowledged account readable");
        var recovered = clock.Elapsed;
        output.WriteLine($"{acknowledged.Count} of 90 acknowledged, {refused} refused; all readable {recovered - killedAt} after the kill");

        Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} of 90 acknowledged ({refused} refused)");
        var stored = await database.ScalarAsync<long>(
            $"SELECT count(*) FROM aractors.grain_state WHERE grain_key IN ({string.Join(",", acknowledged.Select(a => $"'{a}'"))})");
        Assert.True(stored >= acknowledged.Count, $"{stored} state rows for {acknowledged.Count} acknowledged accounts");
        Assert.True(recovered - killedAt <= TimeSpan.FromSeconds(10), $"the dead silo's accounts answered again {recovered - killedAt} after the kill");
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM aractors.membership WHERE status = 3"));
        Assert.Equal(2, await database.ScalarAsync<long>("SELECT count(*) FROM aractors.membership WHERE status = 1"));

        // The killed silo's reminders (due 4 s after the kill, so it could not have delivered them) fire on the survivors:
        // delivery advances each row past the due time it had.
        Assert.NotEmpty(killedReminders);
        await WaitUntilAsync(async () => (await PendingAsync(killedReminders)) == 0, TimeSpan.FromSeconds(30), $"{killedReminders.Count} reminders of the killed silo delivered");
        output.WriteLine($"{killedReminders.Count} reminders of the killed silo delivered by survivors {clock.Elapsed - killedAt} after the kill");

        await StoredLedger.AssertInvariantsAsync(database.ConnectionString);
    }

    /// <summary>
    /// Makes every invoice reminder that the ring gives the silo on <paramref name="port"/> due 4 s from now; returns
    /// them (key, due). Other silos' rows are left alone (they hold them in memory and would not re-read them).
    /// </summary>
    private async Task<Dictionary<string, DateTimeOffset>> MakeDueSoonAsync(int port)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var silos = new List<SiloAddress>();
        await using (var members = new NpgsqlCommand("SELECT endpoint, generation FROM aractors.membership WHERE status = 1", connection))
        await using (var reader = await members.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                silos.Add(new SiloAddress(reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var ring = ConsistentHashRing.Create(silos);
        var victim = Assert.Single(silos, s => s.Endpoint.Contains($":{port}", StringComparison.Ordinal));
        var keys = new List<string>();
        await using (var rows = new NpgsqlCommand("SELECT grain_key, hash FROM aractors.reminders WHERE grain_type = 'invoice'", connection))
        await using (var reader = await rows.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (ring.Owner(unchecked((uint)reader.GetInt64(1))) == victim)
                {
                    keys.Add(reader.GetString(0));
                }
            }
        }

        var due = DateTimeOffset.UtcNow.AddSeconds(4);
        await using var update = new NpgsqlCommand("UPDATE aractors.reminders SET next_due = $1 WHERE grain_type = 'invoice' AND grain_key = ANY($2)", connection);
        update.Parameters.Add(new NpgsqlParameter { Value = due });
        update.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray() });
        await update.ExecuteNonQueryAsync();
        return keys.ToDictionary(k => k, _ => due);
    }

    private async Task<long> PendingAsync(Dictionary<string, DateTimeOffset> reminders)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM aractors.reminders WHERE grain_type = 'invoice' AND grain_key = ANY($1) AND next_due <= $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = reminders.Keys.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = reminders.Values.Max() });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static object Account(string id) => new
    {
        customerId = id,
        name = "Customer " + id,
        country = "DE",
        timeZone = "Europe/Berlin",
        currency = "EUR",
        terms = new { kind = "net", days = 30 },
        creditLimit = 50000m,
        segment = "leasingCompany",
        portfolio = "north",
        assignedCollector = "collector-1",
    };

    private static async Task<string> SignInAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync(new Uri("/api/v1/demo/sign-in", UriKind.Relative), new { userId = "manager" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Polls a condition over real processes (there is no clock to drive); fails after <paramref name="limit"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, $"not reached within {limit}: {what}");
            await Task.Delay(100);
        }
    }

    private Process StartNode(int port, string signingKey, string role)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ArActors.Silo.dll")}\" --urls http://127.0.0.1:{port}")
        {
            WorkingDirectory = _workDirectory,
            RedirectStandardError = false,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ArActors__Role"] = role;
        info.Environment["ConnectionStrings__Postgres"] = database.ConnectionString;
        info.Environment["ArActors__Demo"] = "true";
        info.Environment["ArActors__DemoAccounts"] = "0";
        info.Environment["ArActors__Auth__SigningKey"] = signingKey;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(info)!;
    }

    public void Dispose()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Directory.Delete(_workDirectory, recursive: true);
    }
}
