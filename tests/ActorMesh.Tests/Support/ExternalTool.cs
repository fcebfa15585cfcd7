using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Support;

/// <summary>
/// Finds a program a test drives (promtool, prometheus, docker-compose, tmux). CI installs them (<c>.ci/run</c>), so there a missing tool
/// fails the test; on a developer machine without it the test says so and returns early.
/// </summary>
internal static class ExternalTool
{
    public static string? Find(string name, ITestOutputHelper output, string debianPackage = "prometheus")
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }
        var message = $"'{name}' is not on PATH (Debian package '{debianPackage}'; .ci/run installs it)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }
        output.WriteLine("SKIPPED locally: " + message);
        return null;
    }
}
