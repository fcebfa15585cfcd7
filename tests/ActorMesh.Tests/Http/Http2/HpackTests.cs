using System.Buffers;
using ActorMesh.Http;
using ActorMesh.Http.Http2;
using Xunit;

namespace ActorMesh.Tests.Http.Http2;

/// <summary>HPACK against RFC 7541: the Huffman code of Appendix B, the examples of Appendix C, and malformed input.</summary>
public sealed class HpackTests
{
    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(1, 0x7fffd8u, 23)]
    [InlineData(10, 0x3ffffffcu, 30)]
    [InlineData(13, 0x3ffffffdu, 30)]
    [InlineData(22, 0x3ffffffeu, 30)]
    [InlineData('/', 0x18u, 6)]
    [InlineData('0', 0x0u, 5)]
    [InlineData('X', 0xfcu, 8)]
    [InlineData('Y', 0x73u, 7)]
    [InlineData('a', 0x3u, 5)]
    [InlineData('{', 0x7ffeu, 15)]
    [InlineData('~', 0x1ffdu, 13)]
    [InlineData(127, 0xffffffcu, 28)]
    [InlineData(128, 0xfffe6u, 20)]
    [InlineData(195, 0x7fff1u, 19)]
    [InlineData(203, 0x7ffffdeu, 27)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)]
    public void The_canonical_code_built_from_the_lengths_matches_appendix_b(int symbol, uint code, int length)
    {
        Assert.Equal((code, length), HpackHuffman.Code(symbol));
    }

    [Fact]
    public void Appendix_c4_requests_with_huffman_decode_and_fill_the_dynamic_table()
    {
        var decoder = new HpackDecoder(4096);

        var first = Decode(decoder, "828684418cf1e3c2e5f23a6ba0ab90f4ff");
        var second = Decode(decoder, "828684be5886a8eb10649cbf");
        var third = Decode(decoder, "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");

        Assert.Equal([new(":method", "GET"), new(":scheme", "http"), new(":path", "/"), new(":authority", "www.example.com")], first);
        Assert.Equal(new HttpHeader("cache-control", "no-cache"), second[^1]);
        Assert.Equal([new(":method", "GET"), new(":scheme", "https"), new(":path", "/index.html"), new(":authority", "www.example.com"), new("custom-key", "custom-value")], third);
        Assert.Equal(164, decoder.Table.Size);
        Assert.Equal(new HttpHeader("custom-key", "custom-value"), decoder.Table[1]);
    }

    [Fact]
    public void Appendix_c6_responses_with_huffman_evict_from_a_256_octet_table()
    {
        var decoder = new HpackDecoder(256);
        decoder.Table.SetMaxSize(256);

        var first = Decode(decoder, "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3");
        var second = Decode(decoder, "4883640effc1c0bf");
        var third = Decode(decoder, "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007");

        Assert.Equal([new(":status", "302"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:21 GMT"), new("location", "https://www.example.com")], first);
        Assert.Equal(new HttpHeader(":status", "307"), second[0]);
        Assert.Equal(first[1..], second[1..]);
        Assert.Equal(
            [
                new(":status", "200"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
                new("location", "https://www.example.com"), new("content-encoding", "gzip"),
                new("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
            ],
            third);
        Assert.Equal(215, decoder.Table.Size);
        Assert.Equal(3, decoder.Table.Count);
    }

    [Theory]
    [InlineData(10, 5, "0a")]
    [InlineData(1337, 5, "1f9a0a")]
    [InlineData(42, 8, "2a")]
    public void Integers_encode_and_decode_as_appendix_c1(int value, int prefixBits, string hex)
    {
        var output = new ArrayBufferWriter<byte>();
        HpackEncoder.WriteInteger(output, 0, prefixBits, value);
        ReadOnlySpan<byte> encoded = Convert.FromHexString(hex);

        Assert.Equal(hex, Convert.ToHexString(output.WrittenSpan).ToLowerInvariant());
        Assert.True(HpackDecoder.TryInteger(ref encoded, prefixBits, out var decoded));
        Assert.Equal(value, decoded);
        Assert.True(encoded.IsEmpty);
    }

    [Fact]
    public void What_the_encoder_writes_decodes_to_the_same_fields_and_credentials_are_never_indexed()
    {
        HttpHeader[] fields =
        [
            new(":method", "GET"), new(":scheme", "http"), new(":authority", "a.example:8080"), new(":path", "/x?y=1"),
            new("accept-encoding", "gzip, deflate"), new("user-agent", "test"), new("x-custom", new string('v', 300)),
            new("authorization", "Bearer secret"),
        ];
        var output = new ArrayBufferWriter<byte>();

        new HpackEncoder().Encode(fields, output);
        var decoded = Decode(new HpackDecoder(4096), Convert.ToHexString(output.WrittenSpan));

        Assert.Equal(fields, decoded);
        // The block opens with a table size update to 0; GET is static entry 2.
        Assert.Equal([0x20, 0x82], output.WrittenSpan[..2].ToArray());
        // authorization: never indexed (0001), static name 23 on a 4-bit prefix (15 + 8), 13 raw octets.
        var value = output.WrittenSpan.IndexOf("Bearer secret"u8);
        Assert.Equal([0x1f, 0x08, 0x0d], output.WrittenSpan[(value - 3)..value].ToArray());
    }

    [Theory]
    [InlineData("82ffff")]
    [InlineData("8118")]
    [InlineData("84ffffffff")]
    public void Invalid_huffman_is_a_compression_error(string literalValue)
    {
        // A literal without indexing, name "x", with the Huffman-coded value under test.
        var block = "000178" + literalValue;

        Assert.Equal(HpackDecodeStatus.CompressionError, new HpackDecoder(4096).Decode(Convert.FromHexString(block), [], 64 * 1024));
    }

    [Fact]
    public void Huffman_padding_of_ones_is_accepted()
    {
        Assert.Equal([new HttpHeader("x", "a")], Decode(new HpackDecoder(4096), "000178811f"));
    }

    [Theory]
    [InlineData("bf")]
    [InlineData("80")]
    [InlineData("3fe21f")]
    [InlineData("8220")]
    [InlineData("00")]
    public void Malformed_blocks_are_compression_errors(string hex)
    {
        // An index beyond both tables, index 0, a size update to 4097 (above 4096), one after a field, a truncated literal.
        Assert.Equal(HpackDecodeStatus.CompressionError, new HpackDecoder(4096).Decode(Convert.FromHexString(hex), [], 64 * 1024));
    }

    [Fact]
    public void A_list_over_the_limit_is_decoded_to_its_end_but_reported_too_large()
    {
        var decoder = new HpackDecoder(4096);
        var fields = new List<HttpHeader>();

        // custom-key: custom-header, with incremental indexing (C.2.1), against a 40-octet limit.
        var status = decoder.Decode(Convert.FromHexString("400a637573746f6d2d6b65790d637573746f6d2d686561646572"), fields, 40);

        Assert.Equal(HpackDecodeStatus.TooLarge, status);
        Assert.Empty(fields);
        Assert.Equal(55, decoder.Table.Size);
    }

    private static List<HttpHeader> Decode(HpackDecoder decoder, string hex)
    {
        var fields = new List<HttpHeader>();
        Assert.Equal(HpackDecodeStatus.Ok, decoder.Decode(Convert.FromHexString(hex), fields, 64 * 1024));
        return fields;
    }
}
