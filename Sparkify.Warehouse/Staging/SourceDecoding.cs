using System.IO.Compression;
using System.Text;

namespace Sparkify.Warehouse.Staging;

/// <summary>
/// What a source file's first bytes say it is. gzip (S3 exports are often <c>.json.gz</c>) is read transparently;
/// UTF-16 and UTF-32 (with a byte order mark, or UTF-16 recognised by its zero bytes) are decoded to UTF-8; other
/// archives and compressions are refused with their name. Anything else is read as UTF-8, as it is.
/// </summary>
public static class SourceDecoding
{
    private const int HeadBytes = 6;

    /// <summary>
    /// The decoded stream over <paramref name="raw"/>, which it then owns. When the head cannot be read or decoded (a
    /// corrupt <c>.json.gz</c>, a read that fails), or the content is refused, <paramref name="raw"/> is disposed before
    /// the exception leaves: an S3 response or an open file is never left behind, however often the file is retried.
    /// </summary>
    public static async Task<Stream> DecodeAsync(Stream raw, CancellationToken cancellationToken)
    {
        // The outermost stream made so far: disposing it disposes every one below, down to raw.
        var outer = raw;
        try
        {
            while (true)
            {
                var head = new byte[HeadBytes];
                var length = await outer.ReadAtLeastAsync(head, HeadBytes, throwOnEndOfStream: false, cancellationToken);
                var prefix = head.AsSpan(0, length);
                outer = new PrefixedStream(head[..length], outer);
                if (prefix.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
                {
                    outer = new GZipStream(outer, CompressionMode.Decompress);
                    continue;
                }
                if (Refused(prefix) is { } refused)
                {
                    throw new InvalidDataException($"{refused}: not supported; store the JSON as it is, or gzip-compressed");
                }
                return Encoding(prefix) is { } encoding
                    ? System.Text.Encoding.CreateTranscodingStream(outer, encoding, System.Text.Encoding.UTF8)
                    : outer;
            }
        }
        catch
        {
            await outer.DisposeAsync();
            throw;
        }
    }

    private static Encoding? Encoding(ReadOnlySpan<byte> head) => head switch
    {
        [0xFF, 0xFE, 0x00, 0x00, ..] => new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true),
        [0x00, 0x00, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true),
        [0xFF, 0xFE, ..] => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
        [0xFE, 0xFF, ..] => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
        // JSON starts with ASCII: in UTF-16 without a byte order mark every other byte of it is zero.
        [not 0x00, 0x00, not 0x00, 0x00, ..] => new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true),
        [0x00, not 0x00, 0x00, not 0x00, ..] => new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true),
        _ => null,
    };

    private static string? Refused(ReadOnlySpan<byte> head) => head switch
    {
        [0x50, 0x4B, 0x03, 0x04, ..] => "a zip archive",
        [0x42, 0x5A, 0x68, ..] => "a bzip2-compressed file",
        [0x28, 0xB5, 0x2F, 0xFD, ..] => "a zstd-compressed file",
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, ..] => "an xz-compressed file",
        [0x04, 0x22, 0x4D, 0x18, ..] => "an lz4-compressed file",
        [0x50, 0x41, 0x52, 0x31, ..] => "a Parquet file",
        _ => null,
    };

    /// <summary>The bytes read to look at the head, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : ReadOnlyStreamWrapper(rest)
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }
            return Inner.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _position < prefix.Length ? Read(buffer.Span) : await Inner.ReadAsync(buffer, cancellationToken);
    }
}
