namespace ActorMesh.Stats;

/// <summary>One tag of a stat, e.g. <c>envoy.cluster_name=backend</c> of <c>cluster.backend.upstream_rq_total</c>.</summary>
public sealed record StatTag(string Name, string Value);

/// <summary>
/// What every stat has: its full Envoy name and, computed once from the name on first use (never per flush and never
/// on the request path), its tags and its tag-extracted name (<c>cluster.upstream_rq_total</c>).
/// </summary>
public abstract class Metric
{
    private readonly TagProducer _tagProducer;
    private TagExtraction? _extraction;

    protected Metric(string name, TagProducer? tagProducer, bool rejected)
    {
        Name = name;
        _tagProducer = tagProducer ?? TagProducer.Default;
        Rejected = rejected;
    }

    public string Name { get; }

    /// <summary>Turned away by <c>stats_matcher</c>: still a working object, but no view or sink ever sees it.</summary>
    public bool Rejected { get; }

    public string TagExtractedName => Extraction.Name;

    public IReadOnlyList<StatTag> Tags => Extraction.Tags;

    // Racing first readers compute the same value; whichever is stored wins.
    private TagExtraction Extraction => Volatile.Read(ref _extraction) ?? (_extraction = _tagProducer.Produce(Name));
}
