using Microsoft.Data.Sqlite;

namespace ActorMesh.Tests.Mesh;

/// <summary>A data directory of its own per test, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "actormesh-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        // Microsoft.Data.Sqlite pools connections, which would keep the database file open.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the test over it is not.
        }
    }
}
