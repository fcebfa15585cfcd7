using ActorMesh.Mesh;
using Xunit;

namespace ActorMesh.Tests.Mesh;

public sealed class LineDiffTests
{
    [Fact]
    public void Identical_texts_have_an_empty_diff()
    {
        Assert.Equal("", LineDiff.Unified("a\nb\n", "a\nb\n", "1", "2"));
        Assert.Equal("", LineDiff.Unified("a\r\nb\r\n", "a\nb", "1", "2"));
    }

    [Fact]
    public void One_changed_line_shows_three_lines_of_context_as_diff_u_does()
    {
        var from = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        var to = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";

        Assert.Equal(
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
            LineDiff.Unified(from, to, "a", "b"));
    }

    [Fact]
    public void Distant_changes_are_separate_hunks_and_near_ones_merge()
    {
        var lines = Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var from = string.Concat(lines.Select(line => line + "\n"));
        var to = string.Concat(lines.Where(line => line != "18").Select(line => (line == "2" ? "two" : line) + "\n"));

        Assert.Equal(
            "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -15,6 +15,5 @@\n 15\n 16\n 17\n-18\n 19\n 20\n",
            LineDiff.Unified(from, to, "a", "b"));
    }

    [Fact]
    public void Insertions_into_and_deletions_from_empty_texts_use_zero_length_ranges()
    {
        Assert.Equal("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", LineDiff.Unified("", "x\ny\n", "a", "b"));
        Assert.Equal("--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n", LineDiff.Unified("x\n", "", "a", "b"));
        Assert.Equal("--- a\n+++ b\n@@ -1 +1,2 @@\n x\n+y\n", LineDiff.Unified("x\n", "x\ny\n", "a", "b"));
    }

    [Fact]
    public void Random_edits_give_a_shortest_script_that_rebuilds_both_texts()
    {
        var random = new Random(6);
        for (var round = 0; round < 300; round++)
        {
            var a = RandomLines(random);
            var b = RandomLines(random);
            var edits = LineDiff.Edits(a, b);

            Assert.Equal(a, edits.Where(e => e.Op != LineDiff.Op.Insert).Select(e => e.Line));
            Assert.Equal(b, edits.Where(e => e.Op != LineDiff.Op.Delete).Select(e => e.Line));
            Assert.Equal(LongestCommonSubsequence(a, b), edits.Count(e => e.Op == LineDiff.Op.Equal));
        }
    }

    private static string[] RandomLines(Random random) =>
        Enumerable.Range(0, random.Next(0, 25)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToArray();

    private static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }
        return table[a.Length, b.Length];
    }
}
