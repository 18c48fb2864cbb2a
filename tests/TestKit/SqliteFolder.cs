using ArActors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.TestKit;

/// <summary>A temporary folder for SQLite store files, deleted (with the connection pools closed) on dispose.</summary>
public sealed class SqliteFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>A store on <paramref name="file"/> in this folder; the same name reopens the same database.</summary>
    public SqliteStore OpenStore(string file = "store.db") =>
        new(System.IO.Path.Combine(Path, file), TimeProvider.System, NullLogger<SqliteStore>.Instance);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
