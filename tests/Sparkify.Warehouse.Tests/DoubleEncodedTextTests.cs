using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Tests;

/// <summary>The repair of text encoded as UTF-8 more than once: real values of the sample's event logs, and text that must stay.</summary>
public sealed class DoubleEncodedTextTests
{
    [Theory]
    // As the sample's logs carry them ("Bj\u00c3\u0083\u00c2\u00b6rk": three encodings, two repairs).
    [InlineData("Bj\u00c3\u0083\u00c2\u00b6rk", "Björk")]
    [InlineData("Beyonc\u00c3\u0083\u00c2\u00a9", "Beyoncé")]
    [InlineData("Aliz\u00c3\u0083\u00c2\u00a9e", "Alizée")]
    [InlineData("Repr\u00c3\u0083\u00c2\u00a9sente", "Représente")]
    [InlineData("Ana Ca\u00c3\u0083\u00c2\u00b1as", "Ana Cañas")]
    [InlineData("Alceu Valen\u00c3\u0083\u00c2\u00a7a", "Alceu Valença")]
    [InlineData("Alicia Keys featuring Tony! Toni! Ton\u00c3\u0083\u00c2\u00a9! and Jermaine Paul", "Alicia Keys featuring Tony! Toni! Toné! and Jermaine Paul")]
    // Encoded twice (one repair), and a character of three UTF-8 bytes.
    [InlineData("BjÃ¶rk", "Björk")]
    [InlineData("na\u00c3\u00afve", "naïve")]
    [InlineData("\u00e2\u0080\u0099", "\u2019")]
    [InlineData("\u00e6\u009d\u00b1\u00e4\u00ba\u00ac", "東京")]
    public void Text_encoded_more_than_once_is_repaired(string raw, string expected)
    {
        Assert.Equal(expected, DoubleEncodedText.TryRepair(raw));
    }

    [Theory]
    [InlineData("Björk")] // written correctly: 'ö' alone is not a UTF-8 sequence
    [InlineData("naïve")]
    [InlineData("Beyoncé feat. Jay-Z")]
    [InlineData("donâ€™t")] // Windows-1252 mojibake: '€' and '™' are above U+00FF, no Latin-1 bytes to go back to
    [InlineData("Ã(")] // bytes C3 28: not UTF-8
    [InlineData("Ã")] // a lead byte with nothing after it
    [InlineData("\u00c3\u00a9\u00ff")] // a valid pair followed by a byte UTF-8 never uses
    [InlineData("東京事変")] // CJK
    [InlineData("Björk 東京")] // Latin-1 and beyond together
    [InlineData("Elena")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_text_is_left_as_it_is(string? text)
    {
        Assert.Null(DoubleEncodedText.TryRepair(text));
    }

    [Fact]
    public void Plain_ascii_allocates_nothing()
    {
        const string ascii = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36";
        DoubleEncodedText.TryRepair(ascii);

        var repaired = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            repaired += DoubleEncodedText.TryRepair(ascii) is null ? 0 : 1;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, repaired);
        Assert.True(allocated < 1000, $"{allocated} bytes allocated for 1,000 plain ASCII values");
    }
}
