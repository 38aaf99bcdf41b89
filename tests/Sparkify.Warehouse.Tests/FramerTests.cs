using System.Text;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Tests;

public sealed class FramerTests
{
    private static async Task<List<(long Line, string Text, string? Error)>> FrameAsync(IRecordFramer framer)
    {
        var records = new List<(long, string, string?)>();
        using (framer)
        {
            while (await framer.ReadAsync(CancellationToken.None) is { } record)
            {
                records.Add((record.LineNumber, Encoding.UTF8.GetString(record.Bytes.Span), record.FramingError));
            }
        }
        return records;
    }

    private static Stream StreamOf(string text, bool bom = false) =>
        new MemoryStream([.. (bom ? "\uFEFF"u8.ToArray() : []), .. Encoding.UTF8.GetBytes(text)]);

    [Fact]
    public async Task Ndjson_handles_crlf_bom_blank_lines_and_no_final_newline()
    {
        var records = await FrameAsync(new NdjsonFramer(StreamOf("{\"a\":1}\r\n\r\n{\"a\":2}\n{\"a\":3}", bom: true), 1024));

        Assert.Equal([(1L, "{\"a\":1}", (string?)null), (3L, "{\"a\":2}", null), (4L, "{\"a\":3}", null)], records);
    }

    [Fact]
    public async Task Ndjson_skips_an_overlong_line_and_keeps_the_lines_around_it()
    {
        var longLine = "{\"a\":\"" + new string('x', 200_000) + "\"}";
        var records = await FrameAsync(new NdjsonFramer(StreamOf($"{{\"a\":1}}\n{longLine}\n{{\"a\":3}}\n"), 4096));

        Assert.Equal(3, records.Count);
        Assert.Equal((1L, "{\"a\":1}", (string?)null), records[0]);
        Assert.Equal(2L, records[1].Line);
        Assert.Contains("longer than the 4,096-byte record limit", records[1].Error, StringComparison.Ordinal);
        Assert.StartsWith("{\"a\":\"xxx", records[1].Text, StringComparison.Ordinal);
        Assert.True(records[1].Text.Length <= LoadErrorText.MaxRawBytes);
        Assert.Equal((3L, "{\"a\":3}", (string?)null), records[2]);
    }

    [Theory]
    [InlineData(100_000, "\n", null)]
    [InlineData(100_000, "\r\n", null)]
    [InlineData(100_001, "\n", "line is longer than the 100,000-byte record limit (100,001 bytes); skipped")]
    [InlineData(200_000, "\r\n", "line is longer than the 100,000-byte record limit (200,000 bytes); skipped")]
    [InlineData(200_000, "", "line is longer than the 100,000-byte record limit (200,000 bytes); skipped")]
    public async Task Ndjson_takes_a_line_up_to_the_limit_to_the_byte_past_its_first_window(int length, string end, string? error)
    {
        // Longer than the 64 KiB the window starts with: it grows, up to the limit and no further.
        var line = "{\"a\":\"" + new string('x', length - 8) + "\"}";
        // Without a line end, the line is the file's last.
        var next = end.Length > 0 ? "{\"a\":3}" : "";
        var records = await FrameAsync(new NdjsonFramer(StreamOf(line + end + next), 100_000));

        Assert.Equal(next.Length > 0 ? 2 : 1, records.Count);
        Assert.Equal((1L, error), (records[0].Line, records[0].Error));
        Assert.Equal(error is null ? line : line[..LoadErrorText.MaxRawBytes], records[0].Text);
        Assert.Equal(next.Length > 0 ? [(2L, next, (string?)null)] : [], records.Skip(1));
    }

    [Fact]
    public async Task Only_a_byte_order_mark_at_the_very_start_is_skipped()
    {
        var records = await FrameAsync(new NdjsonFramer(StreamOf("{\"a\":1}\n\uFEFF{\"a\":2}", bom: true), 1024));

        Assert.Equal([(1L, "{\"a\":1}", (string?)null), (2L, "\uFEFF{\"a\":2}", null)], records);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t\r\n ")]
    public async Task Ndjson_empty_or_blank_input_has_no_records(string text)
    {
        Assert.Empty(await FrameAsync(new NdjsonFramer(StreamOf(text), 1024)));
    }

    [Fact]
    public async Task Json_values_may_be_compact_several_or_pretty_printed()
    {
        const string text = "{\"a\":1}{\"a\":2}\n{\n  \"a\": 3,\n  \"b\": [1,\n 2]\n}\n\n{\"a\":4}";

        var records = await FrameAsync(new JsonValueFramer(StreamOf(text, bom: true), 1024));

        Assert.Equal([1L, 1L, 2L, 8L], records.Select(r => r.Line));
        Assert.All(records, r => Assert.Null(r.Error));
        Assert.Equal("{\n  \"a\": 3,\n  \"b\": [1,\n 2]\n}", records[2].Text);
    }

    [Fact]
    public async Task Json_values_truncated_at_the_end_are_an_error()
    {
        var records = await FrameAsync(new JsonValueFramer(StreamOf("{\"a\":1}\n{\"a\":"), 1024));

        Assert.Equal(2, records.Count);
        Assert.Null(records[0].Error);
        Assert.Equal(2L, records[1].Line);
        Assert.Contains("truncated", records[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_values_with_a_syntax_error_stop_the_file_at_that_line()
    {
        var records = await FrameAsync(new JsonValueFramer(StreamOf("{\"a\":1}\n{\"a\":\n  x}\n{\"a\":3}"), 1024));

        Assert.Equal(2, records.Count);
        Assert.Equal(3L, records[1].Line);
        Assert.Contains("malformed JSON", records[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_values_larger_than_the_limit_are_an_error()
    {
        var records = await FrameAsync(new JsonValueFramer(StreamOf("{\"a\":\"" + new string('x', 300_000) + "\"}"), 65_536));

        var record = Assert.Single(records);
        Assert.Contains("record limit", record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_text_is_bounded_and_free_of_nul()
    {
        var text = LoadErrorText.FromBytes([0x00, 0xFF, .. Encoding.UTF8.GetBytes(new string('y', 5000))]);

        Assert.DoesNotContain('\0', text);
        Assert.Equal(LoadErrorText.MaxRawChars, text.Length);
        Assert.Equal('\uFFFD', text[0]);
    }
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task Ndjson_enforces_the_record_limit_to_the_byte(string lineEnd)
    {
        // 1,500 bytes: the buffer pool hands out 2,048-byte arrays, which must not raise the limit.
        const int limit = 1500;
        string Line(int bytes) => "{\"a\":\"" + new string('x', bytes - 8) + "\"}";
        var records = await FrameAsync(new NdjsonFramer(StreamOf(Line(limit) + lineEnd + Line(limit + 1) + lineEnd + Line(2000) + lineEnd + Line(limit + 1)), limit));

        Assert.Equal(4, records.Count);
        Assert.Null(records[0].Error);
        Assert.Equal(limit, records[0].Text.Length);
        Assert.All(records.Skip(1), r => Assert.Contains("longer than the 1,500-byte record limit", r.Error, StringComparison.Ordinal));
        Assert.Contains("(1,501 bytes)", records[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Song_framing_enforces_the_record_limit_to_the_byte()
    {
        const int limit = 1500;
        var exact = "{\"a\":\"" + new string('x', limit - 8) + "\"}";
        Assert.Null(Assert.Single(await FrameAsync(new JsonValueFramer(StreamOf(exact), limit))).Error);

        var over = "{\"a\":\"" + new string('x', limit - 7) + "\"}";
        Assert.Contains("longer than the 1,500-byte record limit", Assert.Single(await FrameAsync(new JsonValueFramer(StreamOf(over), limit))).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deeply_nested_value_is_framed_like_any_other_and_the_next_one_still_read()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"n\":", 200)) + "1" + new string('}', 200);
        var records = await FrameAsync(new JsonValueFramer(StreamOf($"{{\"song_id\":\"S1\",\"extra\":{deep}}}\n{{\"song_id\":\"S2\"}}"), 1 << 20));

        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Null(r.Error));
    }
}
