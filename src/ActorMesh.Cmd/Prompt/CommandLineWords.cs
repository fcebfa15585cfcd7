using System.Text;

namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// A prompt line split into words as a POSIX shell splits it, so what works after <c>actormesh-cmd HOST:PORT</c> in a
/// shell works at the prompt: white space between words, <c>'…'</c> taken as it is, <c>"…"</c> with <c>\"</c> and
/// <c>\\</c>, and outside quotes a backslash takes the next character as it is.
/// <paramref name="LastStart"/> is where the last word starts; with <paramref name="EndsInWord"/> false the line ends in
/// white space (or is empty) and a next word would start at its end. <paramref name="Unterminated"/>: a quote is open.
/// </summary>
internal sealed record CommandLineWords(IReadOnlyList<string> Words, int LastStart, bool EndsInWord, bool Unterminated)
{
    private const string Special = " \t'\"\\";

    public static CommandLineWords Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            if (!inWord)
            {
                inWord = true;
                start = i;
            }
            switch (quote)
            {
                case null when c is '\'' or '"':
                    quote = c;
                    break;
                case null when c == '\\' && i + 1 < line.Length:
                    word.Append(line[++i]);
                    break;
                case '\'' when c == '\'':
                case '"' when c == '"':
                    quote = null;
                    break;
                case '"' when c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\':
                    word.Append(line[++i]);
                    break;
                default:
                    word.Append(c);
                    break;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return new CommandLineWords(words, inWord ? start : line.Length, inWord, quote is not null);
    }

    /// <summary>A word as it would be typed: as it is when nothing in it needs quoting, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.IndexOfAny(Special.ToCharArray()) < 0 ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
