using Akka.Configuration;
using Akka.Persistence.Sql;

namespace ActorMesh.Mesh;

/// <summary>
/// Builds the ConfigStore's complete HOCON for one backend: the Akka.Persistence.Sql journal and snapshot store (schema
/// created on first start), hocon/persistence.hocon (settings and serializer bindings) and the plugin's defaults, which
/// plain HOCON must bring itself or the journal fails with "Plugin class name must be defined". Nodes and tests both
/// start from here, so they run the store the same way.
/// </summary>
public static class ConfigStorePersistence
{
    public const string DatabaseFileName = "actormesh.db";

    /// <summary>linq2db's provider for Microsoft.Data.Sqlite.</summary>
    public const string SqliteProviderName = "SQLite.MS";

    /// <summary>The newest PostgreSQL dialect linq2db names; it serves newer servers too.</summary>
    public const string PostgreSqlProviderName = "PostgreSQL.15";

    public const string PostgresEnvironmentVariable = "ACTORMESH_POSTGRES";

    public const string PostgresConnectionStringPath = "actormesh.config-store.postgres.connection-string";

    private const string JournalPluginId = "akka.persistence.journal.sql";
    private const string SnapshotPluginId = "akka.persistence.snapshot-store.sql";
    private const string HoconResource = "ActorMesh.hocon.persistence.hocon";

    /// <summary>hocon/persistence.hocon, embedded so the library needs no file beside it.</summary>
    public static Akka.Configuration.Config Defaults { get; } = LoadDefaults();

    public static string DatabasePath(string dataDir) => Path.Combine(dataDir, DatabaseFileName);

    /// <summary>The embedded default: one SQLite file, <c>{dataDir}/actormesh.db</c>; the directory is created.</summary>
    public static Akka.Configuration.Config Sqlite(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return Sql($"Data Source={Path.GetFullPath(DatabasePath(dataDir))}", SqliteProviderName);
    }

    public static Akka.Configuration.Config PostgreSql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return Sql(connectionString, PostgreSqlProviderName);
    }

    /// <summary>
    /// The backend a node runs: PostgreSQL when a connection string is set in HOCON or, failing that, in
    /// <c>ACTORMESH_POSTGRES</c>; otherwise the SQLite file under <paramref name="dataDir"/>.
    /// </summary>
    public static Akka.Configuration.Config ForNode(Akka.Configuration.Config nodeConfig, string dataDir, Func<string, string?>? environment = null)
    {
        var connectionString = PostgresConnectionString(nodeConfig, environment ?? Environment.GetEnvironmentVariable);
        return connectionString is null ? Sqlite(dataDir) : PostgreSql(connectionString);
    }

    public static string? PostgresConnectionString(Akka.Configuration.Config nodeConfig, Func<string, string?> environment)
    {
        var fromHocon = nodeConfig.GetString(PostgresConnectionStringPath, "");
        if (!string.IsNullOrWhiteSpace(fromHocon))
        {
            return fromHocon;
        }
        var fromEnvironment = environment(PostgresEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
    }

    private static Akka.Configuration.Config Sql(string connectionString, string providerName)
    {
        var connection = Quote(connectionString);
        var provider = Quote(providerName);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "{{JournalPluginId}}"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPluginId}}"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
            }
            """)
            .WithFallback(Defaults)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>A HOCON quoted string: connection strings hold '=', ';' and maybe quotes or backslashes.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static Akka.Configuration.Config LoadDefaults()
    {
        using var stream = typeof(ConfigStorePersistence).Assembly.GetManifestResourceStream(HoconResource)
            ?? throw new InvalidOperationException($"Embedded resource {HoconResource} is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
