using Xunit;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// A test that needs the PostgreSQL server named by <c>ACTORMESH_TEST_POSTGRES</c>. Without it the test reports as
/// skipped, saying why; under CI (<c>CI=true</c>) it runs and fails instead, since .ci/run provides the server.
/// </summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public const string Variable = "ACTORMESH_TEST_POSTGRES";

    public PostgreSqlFactAttribute()
    {
        if (ConnectionString is null && !IsCi)
        {
            Skip = $"skipped: {Variable} is unset, so there is no PostgreSQL server to test against (.ci/run starts one)";
        }
    }

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's connection string; under CI, a clear failure when it is missing.</summary>
    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"CI=true but {Variable} is unset: .ci/run must start PostgreSQL and export its connection string.");
}
