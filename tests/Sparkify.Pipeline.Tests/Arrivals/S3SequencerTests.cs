using Sparkify.Ingest.Arrivals;

namespace Sparkify.Pipeline.Tests.Arrivals;

public sealed class S3SequencerTests
{
    [Theory]
    [InlineData("0055AED6DCD90281E5", "0055AED6DCD90281E6", -1)]
    [InlineData("0055AED6DCD90281E6", "0055AED6DCD90281E5", 1)]
    [InlineData("0055AED6DCD90281E5", "0055AED6DCD90281E5", 0)]
    // Unequal lengths: left-padded with zeros, so the longer value is not greater because it is longer, nor smaller
    // because its first character sorts lower.
    [InlineData("FF", "100", -1)]
    [InlineData("0100", "FF", 1)]
    [InlineData("00FF", "FF", 0)]
    [InlineData("9", "10", -1)]
    [InlineData("00ab", "AA", 1)]
    public void Hex_sequencers_compare_after_left_padding_to_equal_length(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(S3Sequencer.Compare(a, b)));
}
