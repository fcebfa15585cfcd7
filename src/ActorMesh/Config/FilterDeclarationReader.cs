using YamlDotNet.Core;

namespace ActorMesh.Config;

/// <summary>
/// A filter as written: its name, its <c>@type</c> and its config body, plus what identifies it (the <c>@type</c>
/// when given, else the name) and where that was written.
/// </summary>
internal sealed record FilterDeclaration(string? Name, string? TypeUrl, YamlMap? Body, string Identity, string IdentityPath, Mark IdentityMark)
{
    public bool Is(IReadOnlySet<string> typeUrls, IReadOnlySet<string> names) =>
        TypeUrl is not null ? typeUrls.Contains(TypeUrl) : names.Contains(Identity);

    /// <summary>The filter's name with v2 aliases folded into the v3 name, so v2 and v3 files load to equal models.</summary>
    public string CanonicalName(IReadOnlySet<string> aliases, string canonical) =>
        Name is null || aliases.Contains(Name) ? canonical : Name;
}

/// <summary>Reads the shape network and HTTP filters share: <c>name</c> and <c>typed_config</c> (or v2's <c>config</c>).</summary>
internal static class FilterDeclarationReader
{
    public static FilterDeclaration? Read(YamlMap filter, ConfigReadContext context)
    {
        var name = filter.Scalar("name");
        var typedConfig = filter.Take("typed_config");
        var legacyConfig = filter.Take("config");
        if (typedConfig is not null && legacyConfig is not null)
        {
            filter.Error("config", "cannot be combined with typed_config");
        }
        var body = typedConfig is not null
            ? context.AsMap(typedConfig, filter.ChildPath("typed_config"))
            : legacyConfig is not null ? context.AsMap(legacyConfig, filter.ChildPath("config")) : null;

        // v2's untyped `config` carries no @type: there the name alone says what the filter is.
        var typeUrl = typedConfig is not null ? body?.Scalar("@type") : null;
        if (typeUrl is not null)
        {
            return new FilterDeclaration(name, typeUrl, body, typeUrl, body!.ChildPath("@type"), body.KeyMark("@type"));
        }
        if (name is not null)
        {
            return new FilterDeclaration(name, null, body, name, filter.ChildPath("name"), filter.KeyMark("name"));
        }
        filter.Missing("name");
        body?.IgnoreRest();
        return null;
    }
}
