using ActorMesh.Config;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Config;

/// <summary>
/// Real Envoy configs from the shared corpus: each either loads or fails first on something we do not support, never
/// on a misreading of something we do.
/// </summary>
public sealed class EnvoyCorpusTests(ITestOutputHelper output)
{
    /// <summary>The corpus folder; null (and said so) when this machine has none.</summary>
    private string? Corpus()
    {
        if (SharedFiles.RootPath is { } shared && Directory.Exists(Path.Combine(shared, "corpus", "envoy")))
        {
            return Path.Combine(shared, "corpus", "envoy");
        }
        output.WriteLine("shared corpus not found; nothing to check");
        return null;
    }

    [Fact]
    public void Corpus_files_load_or_fail_first_on_an_unsupported_field()
    {
        if (Corpus() is not { } corpus)
        {
            return;
        }
        var files = Directory.GetFiles(corpus, "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(corpus, "legacy"), "*.yaml"))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(files);

        var failures = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(corpus, file);
            var result = ConfigLoader.LoadFile(file);
            if (result.IsValid)
            {
                output.WriteLine($"VALID   {name}");
                continue;
            }
            var first = result.Errors[0];
            output.WriteLine($"INVALID {name}: {first} ({result.Errors.Count} errors)");
            var unsupported = first.Message == "unknown field" || first.Message.StartsWith("unsupported ", StringComparison.Ordinal);
            if (!unsupported || first.Path.Length == 0 || first.Line <= 0)
            {
                failures.Add($"{name}: {first}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void The_demo_with_a_local_reply_config_loads_and_the_health_check_example_fails_only_on_the_removed_service_name()
    {
        if (Corpus() is not { } corpus)
        {
            return;
        }
        var demo = ConfigLoader.LoadFile(Path.Combine(corpus, "envoyproxy-envoy__configs_envoy-demo.yaml"));
        var healthChecks = ConfigLoader.LoadFile(Path.Combine(corpus, "legacy", "envoyproxy-envoy__examples_healthchecks_front-envoy.yaml"));

        Assert.True(demo.IsValid, string.Join("; ", demo.Errors));
        // event_log_path (line 40) is read; v3 removed http_health_check.service_name, so the file stays invalid for that alone.
        Assert.Equal(
            ["static_resources.clusters[0].health_checks[0].http_health_check.service_name (line 44): unknown field"],
            healthChecks.Errors.Select(e => e.ToString()));
    }
}
