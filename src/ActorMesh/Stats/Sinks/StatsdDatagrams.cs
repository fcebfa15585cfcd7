using System.Text;

namespace ActorMesh.Stats.Sinks;

/// <summary>
/// Envoy's UDP batching (<c>UdpStatsdSink::writeBuffer</c>): with a buffer size, lines are joined by <c>\n</c> into
/// datagrams of at most that many bytes, and a line that alone reaches the size goes out by itself at once. Without
/// one (the statsd sink always, DogStatsD without <c>max_bytes_per_datagram</c>) every line is its own datagram.
/// </summary>
internal static class StatsdDatagrams
{
    public static IEnumerable<byte[]> Pack(IEnumerable<string> lines, int bufferSize)
    {
        var buffer = new MemoryStream();
        foreach (var text in lines)
        {
            var line = Encoding.UTF8.GetBytes(text);
            if (line.Length >= bufferSize)
            {
                // Too large to share a datagram: written directly, ahead of what is buffered, as Envoy does.
                yield return line;
                continue;
            }
            if (buffer.Length + line.Length + 1 > bufferSize)
            {
                yield return buffer.ToArray();
                buffer.SetLength(0);
            }
            else if (buffer.Length > 0)
            {
                buffer.WriteByte((byte)'\n');
            }
            buffer.Write(line);
        }
        if (buffer.Length > 0)
        {
            yield return buffer.ToArray();
        }
    }
}
