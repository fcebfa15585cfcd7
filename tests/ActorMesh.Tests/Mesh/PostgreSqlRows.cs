using Npgsql;

namespace ActorMesh.Tests.Mesh;

/// <summary>Removes one test's rows from the shared PostgreSQL test database, so runs can share it.</summary>
internal static class PostgreSqlRows
{
    public static async Task DeleteAsync(string persistenceId)
    {
        if (PostgreSqlFactAttribute.ConnectionString is not { } connectionString)
        {
            return;
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in new[] { "journal", "snapshot" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {table} WHERE persistence_id = @id";
            command.Parameters.AddWithValue("id", persistenceId);
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The test failed before the plugin created its tables.
            }
        }
    }
}
