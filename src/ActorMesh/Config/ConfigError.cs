namespace ActorMesh.Config;

/// <summary>One problem in a config file, located by its YAML path and line.</summary>
public sealed record ConfigError(string Path, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{Path} (line {Line}): {Message}" : $"{Path}: {Message}";
}

/// <summary>The outcome of loading a file: a model, or the errors that stop it loading (never both).</summary>
public sealed record ConfigLoadResult(BootstrapConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Config is not null && Errors.Count == 0;
}
