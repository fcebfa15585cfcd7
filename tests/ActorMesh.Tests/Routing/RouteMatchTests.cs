using ActorMesh.Runtime;
using Xunit;
using static ActorMesh.Tests.Routing.RoutingYaml;

namespace ActorMesh.Tests.Routing;

/// <summary>Every RouteMatch condition through the config reader and the compiled route, with its negative.</summary>
public sealed class RouteMatchTests
{
    private static string? Route(string routesYaml, ActorMesh.Http.HttpRequestHead request, RuntimeLoader? runtime = null) =>
        Table(routesYaml).Match(request, runtime)?.Name;

    private static string Single(string match) => $"routes:\n- name: hit\n  match: {match}\n  route: {{ cluster: backend }}";

    [Theory]
    [InlineData("{ prefix: /api }", "/api/x", true)]
    [InlineData("{ prefix: /api }", "/API/x", false)]
    [InlineData("{ prefix: /api, case_sensitive: false }", "/API/x", true)]
    [InlineData("{ path: /exact }", "/exact?q=1", true)]
    [InlineData("{ path: /exact }", "/exact/more", false)]
    [InlineData("{ path: /Exact, case_sensitive: false }", "/eXACT", true)]
    [InlineData("{ safe_regex: { regex: \"/v[0-9]+/items\" } }", "/v12/items?x", true)]
    [InlineData("{ safe_regex: { regex: \"/v[0-9]+/items\" } }", "/v12/items/3", false)]
    [InlineData("{ safe_regex: { google_re2: {}, regex: \"/(?P<ver>v[0-9])/.*\" } }", "/v1/x", true)]
    [InlineData("{ path_separated_prefix: /api }", "/api", true)]
    [InlineData("{ path_separated_prefix: /api }", "/api/x", true)]
    [InlineData("{ path_separated_prefix: /api }", "/apix", false)]
    [InlineData("{ path_separated_prefix: /API, case_sensitive: false }", "/api/x", true)]
    public void Path_specifiers(string match, string target, bool matches) =>
        Assert.Equal(matches ? "hit" : null, Route(Single(match), Request(target)));

    [Theory]
    [InlineData("{ name: x-v, string_match: { exact: blue } }", "blue", true)]
    [InlineData("{ name: x-v, string_match: { exact: blue } }", "Blue", false)]
    [InlineData("{ name: x-v, string_match: { exact: blue, ignore_case: true } }", "BLUE", true)]
    [InlineData("{ name: x-v, string_match: { prefix: bl } }", "blue", true)]
    [InlineData("{ name: x-v, string_match: { suffix: ue } }", "blue", true)]
    [InlineData("{ name: x-v, string_match: { suffix: ue } }", "blues", false)]
    [InlineData("{ name: x-v, string_match: { contains: lu } }", "blue", true)]
    [InlineData("{ name: x-v, string_match: { safe_regex: { regex: \"b.*e\" } } }", "blue", true)]
    [InlineData("{ name: x-v, string_match: { safe_regex: { regex: \"b.*e\" } } }", "blues", false)]
    [InlineData("{ name: x-v, exact_match: blue }", "blue", true)]
    [InlineData("{ name: x-v, exact_match: blue }", "green", false)]
    [InlineData("{ name: x-v, regex_match: \"gr.*\" }", "green", true)]
    [InlineData("{ name: x-v, prefix_match: gr }", "blue", false)]
    [InlineData("{ name: x-v, present_match: true }", "anything", true)]
    [InlineData("{ name: x-v, range_match: { start: 10, end: 20 } }", "10", true)]
    [InlineData("{ name: x-v, range_match: { start: 10, end: 20 } }", "20", false)]
    [InlineData("{ name: x-v, range_match: { start: -5, end: 0 } }", "-3", true)]
    [InlineData("{ name: x-v, range_match: { start: 10, end: 20 } }", "abc", false)]
    [InlineData("{ name: x-v, string_match: { exact: blue }, invert_match: true }", "blue", false)]
    [InlineData("{ name: x-v, string_match: { exact: blue }, invert_match: true }", "green", true)]
    public void Header_matchers_on_a_present_header(string matcher, string value, bool matches) =>
        Assert.Equal(matches ? "hit" : null, Route(Single($"{{ prefix: /, headers: [ {matcher} ] }}"), Request("/", ("x-v", value))));

    [Theory]
    [InlineData("{ name: x-v, present_match: true }", false)]
    [InlineData("{ name: x-v, present_match: false }", true)]
    [InlineData("{ name: x-v }", false)]
    [InlineData("{ name: x-v, string_match: { exact: blue } }", false)]
    [InlineData("{ name: x-v, string_match: { exact: blue }, invert_match: true }", true)]
    [InlineData("{ name: x-v, present_match: true, invert_match: true }", true)]
    [InlineData("{ name: x-v, string_match: { exact: \"\" }, treat_missing_header_as_empty: true }", true)]
    [InlineData("{ name: x-v, string_match: { prefix: a }, treat_missing_header_as_empty: true }", false)]
    public void Header_matchers_on_a_missing_header(string matcher, bool matches) =>
        Assert.Equal(matches ? "hit" : null, Route(Single($"{{ prefix: /, headers: [ {matcher} ] }}"), Request("/")));

    [Fact]
    public void Repeated_headers_are_matched_joined_with_a_comma() =>
        Assert.Equal("hit", Route(Single("{ prefix: /, headers: [ { name: x-v, string_match: { exact: \"a,b\" } } ] }"), Request("/", ("x-v", "a"), ("x-v", "b"))));

    [Theory]
    [InlineData("{ name: debug, string_match: { exact: \"1\" } }", "/?debug=1", true)]
    [InlineData("{ name: debug, string_match: { exact: \"1\" } }", "/?a=b&debug=1", true)]
    [InlineData("{ name: debug, string_match: { exact: \"1\" } }", "/?debug=2", false)]
    [InlineData("{ name: debug, string_match: { exact: \"1\" } }", "/", false)]
    [InlineData("{ name: debug, present_match: true }", "/?debug", true)]
    [InlineData("{ name: debug, present_match: true }", "/?debugger=1", false)]
    [InlineData("{ name: debug, value: \"1\" }", "/?debug=1", true)]
    public void Query_parameter_matchers(string matcher, string target, bool matches) =>
        Assert.Equal(matches ? "hit" : null, Route(Single($"{{ prefix: /, query_parameters: [ {matcher} ] }}"), Request(target)));

    [Fact]
    public void Runtime_fraction_uses_its_default_and_a_runtime_override()
    {
        var none = Table(Single("{ prefix: /, runtime_fraction: { default_value: { numerator: 0 }, runtime_key: routing.canary } }"));
        var all = Table(Single("{ prefix: /, runtime_fraction: { default_value: { numerator: 1000000, denominator: MILLION } } }"));
        var runtime = new RuntimeLoader();

        Assert.Null(none.Match(Request("/"), runtime));
        Assert.Equal("hit", all.Match(Request("/"), runtime)?.Name);
        runtime.MergeValues([new("routing.canary", "100")]);
        Assert.Equal("hit", none.Match(Request("/"), runtime)?.Name);
    }

    [Fact]
    public void Runtime_fraction_samples_about_its_share()
    {
        var half = Table(Single("{ prefix: /, runtime_fraction: { default_value: { numerator: 5000, denominator: TEN_THOUSAND } } }"));
        var hits = Enumerable.Range(0, 4000).Count(_ => half.Match(Request("/"), null) is not null);
        Assert.InRange(hits, 1700, 2300);
    }

    [Fact]
    public void All_conditions_must_hold_and_the_first_matching_route_wins()
    {
        var table = Table("routes:\n"
            + "- name: canary\n  match: { prefix: /svc, headers: [ { name: x-canary, exact_match: \"1\" } ], query_parameters: [ { name: v, string_match: { exact: \"2\" } } ] }\n  route: { cluster: backend }\n"
            + "- name: stable\n  match: { prefix: /svc }\n  route: { cluster: backend }");

        Assert.Equal("canary", table.Match(Request("/svc?v=2", ("x-canary", "1")), null)?.Name);
        Assert.Equal("stable", table.Match(Request("/svc?v=1", ("x-canary", "1")), null)?.Name);
        Assert.Equal("stable", table.Match(Request("/svc?v=2"), null)?.Name);
    }
}
