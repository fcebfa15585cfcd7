using ActorMesh.AccessLog;

namespace ActorMesh.Config;

/// <summary>
/// <c>request_headers_to_add/remove</c> and <c>response_headers_to_add/remove</c> at any level (route configuration,
/// virtual host, route, weighted cluster). Values are Envoy format strings, compiled here to report errors at load.
/// </summary>
internal static class HeaderMutationReader
{
    private static readonly Dictionary<string, HeaderAppendAction> AppendActions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["APPEND_IF_EXISTS_OR_ADD"] = HeaderAppendAction.AppendIfExistsOrAdd,
        ["ADD_IF_ABSENT"] = HeaderAppendAction.AddIfAbsent,
        ["OVERWRITE_IF_EXISTS_OR_ADD"] = HeaderAppendAction.OverwriteIfExistsOrAdd,
        ["OVERWRITE_IF_EXISTS"] = HeaderAppendAction.OverwriteIfExists,
    };

    /// <summary>The four fields of <paramref name="owner"/>; null when any entry is invalid (already reported).</summary>
    public static HeaderMutationConfig? Read(YamlMap owner, ConfigReadContext context)
    {
        var requestAdd = ReadAdds(owner, "request_headers_to_add", context);
        var requestRemove = ReadRemoves(owner, "request_headers_to_remove", context);
        var responseAdd = ReadAdds(owner, "response_headers_to_add", context);
        var responseRemove = ReadRemoves(owner, "response_headers_to_remove", context);
        if (requestAdd is null || requestRemove is null || responseAdd is null || responseRemove is null)
        {
            return null;
        }
        var mutation = new HeaderMutationConfig(requestAdd.Value, requestRemove.Value, responseAdd.Value, responseRemove.Value);
        return mutation.IsEmpty ? HeaderMutationConfig.None : mutation;
    }

    internal static EquatableArray<HeaderValueOptionConfig>? ReadAdds(YamlMap owner, string key, ConfigReadContext context) =>
        ReadResults.AllOrNull(owner.Sequence(key).Select(item => ReadOption(item, context)));

    private static HeaderValueOptionConfig? ReadOption(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } option)
        {
            return null;
        }
        var header = option.RequiredMap("header");
        var key = header?.RequiredScalar("key");
        var value = header?.Scalar("value") ?? "";
        var append = option.Boolean("append");
        var action = option.Enum("append_action", AppendActions);
        var keepEmpty = option.Boolean("keep_empty_value") ?? false;
        if (header is null || key is null || !IsModifiable(header, "key", key))
        {
            return null;
        }
        if (append is not null && option.Has("append_action"))
        {
            option.Error("append", "both append and append_action are set and it's not allowed");
            return null;
        }
        if (option.Has("append_action") && action is null)
        {
            return null;
        }
        if (!ValidateFormat(header, "value", value, context))
        {
            return null;
        }
        // v2's append (a BoolValue) defaults to true: APPEND_IF_EXISTS_OR_ADD; false means overwrite.
        var appendAction = action ?? (append == false ? HeaderAppendAction.OverwriteIfExistsOrAdd : HeaderAppendAction.AppendIfExistsOrAdd);
        return new HeaderValueOptionConfig(key.ToLowerInvariant(), value, appendAction, keepEmpty);
    }

    private static EquatableArray<string>? ReadRemoves(YamlMap owner, string key, ConfigReadContext context)
    {
        var names = new List<string>();
        var ok = true;
        foreach (var item in owner.Sequence(key))
        {
            if (context.AsScalar(item.Node, item.Path) is not { } name)
            {
                ok = false;
                continue;
            }
            if (name.Length == 0 || name.StartsWith(':') || name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                context.Error(item.Path, item.Node.Start, $"invalid header name '{name}': pseudo-headers and host cannot be removed");
                ok = false;
                continue;
            }
            names.Add(name.ToLowerInvariant());
        }
        return ok ? names.ToEquatableArray() : null;
    }

    /// <summary>Envoy's <c>isModifiableHeader</c>: pseudo-headers and Host are not the header parser's to change.</summary>
    private static bool IsModifiable(YamlMap header, string key, string name)
    {
        if (name.StartsWith(':') || name.Equals("host", StringComparison.OrdinalIgnoreCase))
        {
            header.Error(key, $"invalid header name '{name}': pseudo-headers and host cannot be modified");
            return false;
        }
        return true;
    }

    private static bool ValidateFormat(YamlMap header, string key, string value, ConfigReadContext context)
    {
        if (FormatStringParser.TryParse(value, out _, out var error))
        {
            return true;
        }
        var path = header.ChildPath(key);
        var mark = header.KeyMark(key);
        if (error!.IsUnsupported)
        {
            context.Unsupported(path, mark, error.Message);
        }
        else
        {
            context.Error(path, mark, error.Message);
        }
        return false;
    }
}
