using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ArActors.Silo.Hosting;

/// <summary>
/// Checks the configuration before the host starts, so a bad setting ends the process with one sentence that
/// names the setting, instead of a stack trace from deep inside a hosted service.
/// </summary>
public static class StartupCheck
{
    /// <returns>null when the store is usable, else the message to print.</returns>
    public static async Task<string?> ProblemWithAsync(StoreSelection selection, ArActorsOptions options)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.StartupCheckSeconds));
        if (selection.Kind == StoreKind.Sqlite)
        {
            var folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(selection.ConnectionString).DataSource)!;
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, $".write-check-{Environment.ProcessId}");
                await File.WriteAllTextAsync(probe, "ok", timeout.Token);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"the data folder '{folder}' is not writable ({ex.Message}). " +
                       "Set ArActors:DataDirectory (env ArActors__DataDirectory) to a writable folder, or set ConnectionStrings:Postgres.";
            }
        }

        if (selection.Kind == StoreKind.Postgres)
        {
            // Fail within the check's budget even when the server black-holes the connection.
            var builder = new NpgsqlConnectionStringBuilder(selection.ConnectionString)
            {
                Timeout = Math.Min(options.StartupCheckSeconds, 15),
            };
            selection = selection with { ConnectionString = builder.ConnectionString };
        }

        try
        {
            await new StoreProbe(selection).PingAsync(timeout.Token);
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or SqliteException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            var reason = ex is OperationCanceledException
                ? string.Create(CultureInfo.InvariantCulture, $"no answer within {options.StartupCheckSeconds} s")
                : (ex.InnerException?.Message ?? ex.Message);
            var setting = selection.Kind == StoreKind.Postgres ? "ConnectionStrings:Postgres (env ConnectionStrings__Postgres)" : "ArActors:DataDirectory";
            return $"the store is unreachable: {selection.Description}: {reason}. Check {setting}.";
        }
    }
}
