namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteMatch</c>: the path specifier, <c>case_sensitive</c>, <c>headers</c>, <c>query_parameters</c>, <c>runtime_fraction</c>.</summary>
internal static class RouteMatchReader
{
    private static readonly (string Key, PathMatchKind Kind)[] PathSpecifiers =
    [
        ("prefix", PathMatchKind.Prefix),
        ("path", PathMatchKind.Path),
        ("safe_regex", PathMatchKind.SafeRegex),
        ("path_separated_prefix", PathMatchKind.PathSeparatedPrefix),
    ];

    // v2's HeaderMatcher fields, each the v3 string_match it became.
    private static readonly (string Key, StringMatchKind Kind)[] LegacyStringMatches =
    [
        ("exact_match", StringMatchKind.Exact),
        ("prefix_match", StringMatchKind.Prefix),
        ("suffix_match", StringMatchKind.Suffix),
        ("contains_match", StringMatchKind.Contains),
    ];

    internal static readonly Dictionary<string, FractionDenominator> Denominators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUNDRED"] = FractionDenominator.Hundred,
        ["TEN_THOUSAND"] = FractionDenominator.TenThousand,
        ["MILLION"] = FractionDenominator.Million,
    };

    public static RouteMatchConfig? Read(YamlMap match, ConfigReadContext context)
    {
        var present = PathSpecifiers.Where(p => match.Has(p.Key)).ToArray();
        var caseSensitive = match.Boolean("case_sensitive") ?? true;
        var headers = ReadResults.AllOrNull(match.Sequence("headers").Select(h => ReadHeader(h, context)));
        var query = ReadResults.AllOrNull(match.Sequence("query_parameters").Select(q => ReadQueryParameter(q, context)));
        var fraction = match.Map("runtime_fraction") is { } fractionMap ? ReadRuntimeFraction(fractionMap) : null;
        if (present.Length != 1)
        {
            if (present.Length == 0)
            {
                match.Error("requires one of prefix, path, safe_regex or path_separated_prefix");
            }
            else
            {
                match.Error(present[1].Key, "only one of prefix, path, safe_regex or path_separated_prefix may be set");
            }
            foreach (var (key, _) in present)
            {
                match.Take(key);
            }
            return null;
        }
        var (pathKey, kind) = present[0];
        var value = kind == PathMatchKind.SafeRegex ? ReadSafeRegex(match, pathKey) : match.Scalar(pathKey);
        if (value is null || headers is null || query is null || (match.Has("runtime_fraction") && fraction is null))
        {
            return null;
        }
        if (kind == PathMatchKind.PathSeparatedPrefix && (value.Length == 0 || value.IndexOfAny(['?', '#']) >= 0 || value.EndsWith('/')))
        {
            match.Error(pathKey, "must not be empty, contain '?' or '#', or end with '/'");
            return null;
        }
        return new RouteMatchConfig(kind, value)
        {
            CaseSensitive = caseSensitive,
            Headers = headers.Value,
            QueryParameters = query.Value,
            RuntimeFraction = fraction,
        };
    }

    /// <summary>An RE2 <c>RegexMatcher</c> (<c>{google_re2: {}, regex: …}</c>) under <paramref name="key"/>.</summary>
    public static string? ReadSafeRegex(YamlMap owner, string key)
    {
        if (owner.Map(key) is not { } safeRegex)
        {
            return null;
        }
        // google_re2 is RE2's marker message; its only field (max_program_size) is deprecated and not read.
        safeRegex.Map("google_re2");
        var pattern = safeRegex.RequiredScalar("regex");
        return pattern is not null && StringMatcherReader.IsValidRe2(safeRegex, "regex", pattern) ? pattern : null;
    }

    /// <summary>Envoy's <c>RuntimeFractionalPercent</c> (also used by mirror policies).</summary>
    public static RuntimeFractionConfig? ReadRuntimeFraction(YamlMap fraction)
    {
        var runtimeKey = fraction.Scalar("runtime_key");
        if (fraction.RequiredMap("default_value") is not { } value)
        {
            return null;
        }
        var numerator = value.Integer("numerator", 0, uint.MaxValue) ?? 0;
        var denominator = value.Enum("denominator", Denominators);
        if (value.Has("denominator") && denominator is null)
        {
            return null;
        }
        return new RuntimeFractionConfig(numerator, denominator ?? FractionDenominator.Hundred, runtimeKey);
    }

    internal static HeaderMatcherConfig? ReadHeader(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } header)
        {
            return null;
        }
        var name = header.RequiredScalar("name");
        var invert = header.Boolean("invert_match") ?? false;
        var treatMissing = header.Boolean("treat_missing_header_as_empty") ?? false;
        var specifiers = new[] { "string_match", "present_match", "range_match", "safe_regex_match", "regex_match", "exact_match", "prefix_match", "suffix_match", "contains_match" }
            .Where(header.Has).ToArray();
        if (specifiers.Length > 1)
        {
            header.Error(specifiers[1], $"only one of {string.Join(", ", specifiers)} may be set");
            header.IgnoreRest();
            return null;
        }
        if (name is null)
        {
            header.IgnoreRest();
            return null;
        }
        var matcher = specifiers.Length == 0
            // No specifier at all is Envoy's presence match.
            ? new HeaderMatcherConfig(name, HeaderMatchKind.Present)
            : ReadHeaderSpecifier(header, name, specifiers[0]);
        return matcher is null ? null : matcher with { InvertMatch = invert, TreatMissingHeaderAsEmpty = treatMissing };
    }

    private static HeaderMatcherConfig? ReadHeaderSpecifier(YamlMap header, string name, string key)
    {
        switch (key)
        {
            case "string_match":
                return header.Map(key) is { } stringMatch && StringMatcherReader.Read(stringMatch) is { } matcher
                    ? new HeaderMatcherConfig(name, HeaderMatchKind.String) { StringMatch = matcher }
                    : null;
            case "present_match":
                return header.Boolean(key) is { } present ? new HeaderMatcherConfig(name, HeaderMatchKind.Present) { Present = present } : null;
            case "range_match":
                return ReadRange(header, name);
            case "safe_regex_match":
                return ReadSafeRegex(header, key) is { } regex
                    ? new HeaderMatcherConfig(name, HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(StringMatchKind.SafeRegex, regex, false) }
                    : null;
            case "regex_match":
                // v2's regex_match (std::regex) loads only when it is RE2 too, as Envoy's safe_regex replacement.
                return header.Scalar(key) is { } legacyRegex && StringMatcherReader.IsValidRe2(header, key, legacyRegex)
                    ? new HeaderMatcherConfig(name, HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(StringMatchKind.SafeRegex, legacyRegex, false) }
                    : null;
            default:
                var kind = LegacyStringMatches.First(k => k.Key == key).Kind;
                return header.Scalar(key) is { } value
                    ? new HeaderMatcherConfig(name, HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(kind, value, false) }
                    : null;
        }
    }

    private static HeaderMatcherConfig? ReadRange(YamlMap header, string name)
    {
        if (header.Map("range_match") is not { } range)
        {
            return null;
        }
        var start = range.Integer("start", long.MinValue, long.MaxValue);
        var end = range.Integer("end", long.MinValue, long.MaxValue);
        if (start is null || end is null)
        {
            if (!range.Has("start"))
            {
                range.Missing("start");
            }
            if (!range.Has("end"))
            {
                range.Missing("end");
            }
            return null;
        }
        if (end <= start)
        {
            range.Error("end", "must be greater than start");
            return null;
        }
        return new HeaderMatcherConfig(name, HeaderMatchKind.Range) { RangeStart = start.Value, RangeEnd = end.Value };
    }

    private static QueryParameterMatcherConfig? ReadQueryParameter(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } query)
        {
            return null;
        }
        var name = query.RequiredScalar("name");
        StringMatcherConfig? stringMatch = null;
        var ok = true;
        if (query.Map("string_match") is { } stringMap)
        {
            stringMatch = StringMatcherReader.Read(stringMap);
            ok = stringMatch is not null;
        }
        else if (query.Scalar("value") is { } legacyValue)
        {
            // v2: value, optionally a regex when regex: true.
            var regex = query.Boolean("regex") ?? false;
            if (regex && !StringMatcherReader.IsValidRe2(query, "value", legacyValue))
            {
                return null;
            }
            stringMatch = new StringMatcherConfig(regex ? StringMatchKind.SafeRegex : StringMatchKind.Exact, legacyValue, false);
        }
        else if (query.Boolean("present_match") is false)
        {
            query.Error("present_match", "only present_match: true is supported");
            ok = false;
        }
        if (query.Has("string_match") && query.Has("present_match"))
        {
            query.Error("present_match", "only one of string_match or present_match may be set");
            ok = false;
        }
        return name is null || !ok ? null : new QueryParameterMatcherConfig(name, stringMatch);
    }
}
