using System.IO.Compression;
using System.Text;
using Sparkify.Testing;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>The raw source stream (an S3 response, an open file) is always disposed: by the decoded stream, or at once when decoding fails.</summary>
public sealed class SourceDecodingTests
{
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"page":"NextSong"}""");

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>A gzip header followed by bytes that are not a deflate stream: what a truncated or corrupt .json.gz looks like.</summary>
    private static byte[] CorruptGzip() => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    public static TheoryData<string> Failing => ["corrupt gzip", "a read that fails", "a zip archive", "a zip inside gzip"];

    private static DisposalRecordingStream Source(string name) => name switch
    {
        "corrupt gzip" => new DisposalRecordingStream(CorruptGzip()),
        "a read that fails" => new DisposalRecordingStream(Json, failReads: true),
        "a zip archive" => new DisposalRecordingStream([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]),
        "a zip inside gzip" => new DisposalRecordingStream(Gzip([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00])),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Failing))]
    public async Task When_the_head_cannot_be_read_or_decoded_the_raw_stream_is_disposed(string source)
    {
        var raw = Source(source);

        await Assert.ThrowsAnyAsync<Exception>(() => SourceDecoding.DecodeAsync(raw, CancellationToken.None));

        Assert.True(raw.Disposed, $"{source}: the raw stream was left open");
    }

    public static TheoryData<string, byte[]> Readable => new()
    {
        { "plain", Json },
        { "gzip", Gzip(Json) },
        { "UTF-16 with a byte order mark", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("""{"page":"NextSong"}""")] },
    };

    [Theory]
    [MemberData(nameof(Readable))]
    public async Task The_decoded_stream_reads_the_content_and_disposes_the_raw_stream_with_it(string source, byte[] bytes)
    {
        var raw = new DisposalRecordingStream(bytes);

        await using (var decoded = await SourceDecoding.DecodeAsync(raw, CancellationToken.None))
        {
            using var reader = new StreamReader(decoded, Encoding.UTF8);
            Assert.Equal("""{"page":"NextSong"}""", await reader.ReadToEndAsync());
            Assert.False(raw.Disposed, source);
        }

        Assert.True(raw.Disposed, $"{source}: the raw stream was left open");
    }
}

/// <summary>Staging disposes every source stream it opens, on every attempt, whether the file loads or fails.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StagedSourceDisposalTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_corrupt_gzip_file_fails_on_every_attempt_and_leaves_no_source_open()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var opened = new List<(string Key, DisposalRecordingStream Stream)>();
        SourceFile File(string key, byte[] bytes) => new("s3://bucket/" + key, Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)),
            bytes.Length, FileKind.Event, _ =>
            {
                var stream = new DisposalRecordingStream(bytes);
                lock (opened)
                {
                    opened.Add((key, stream));
                }
                return Task.FromResult<Stream>(stream);
            });
        byte[] corrupt = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var files = new[] { File("log_data/2018/11/corrupt.json.gz", corrupt), File(InputFiles.LogKey, Encoding.UTF8.GetBytes(InputFiles.Plays(1)[0])) };

        // Two attempts, as two receives of the same messages would make.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var report = await new WarehouseLoader(warehouse.DataSource, new LoadOptions()).LoadAsync("corrupt gzip", files);
            Assert.Contains(report.Files, f => f.Outcome == FileOutcome.Failed && f.Key.EndsWith("corrupt.json.gz", StringComparison.Ordinal));
        }

        Assert.Equal(2, opened.Count(o => o.Key.EndsWith("corrupt.json.gz", StringComparison.Ordinal)));
        Assert.All(opened, o => Assert.True(o.Stream.Disposed, $"a source stream of {o.Key} was left open"));
    }
}
