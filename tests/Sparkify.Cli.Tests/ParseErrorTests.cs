using System.CommandLine;

namespace Sparkify.Cli.Tests;

/// <summary>A command line that does not parse exits 2 saying, in words, what was expected.</summary>
public sealed class ParseErrorTests
{
    [Theory]
    [InlineData("--max-errors expects a whole number, got 'abc'", "load", "/tmp", "--max-errors", "abc")]
    [InlineData("--from expects a date (yyyy-mm-dd), got 'notadate'", "report", "--from", "notadate")]
    [InlineData("--to expects a date (yyyy-mm-dd), got '2018-13-01'", "report", "--to", "2018-13-01")]
    [InlineData("--matched-share expects a number (e.g. 0.25), got 'half'", "generate", "/tmp/x", "--songs", "1", "--events", "1", "--matched-share", "half")]
    [InlineData("--songs expects a whole number, got '99999999999'", "bench", "--songs", "99999999999")]
    public async Task A_bad_value_exits_2_saying_what_was_expected(string expected, params string[] args)
    {
        var result = await Sparkify.RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("error: " + expected, result.Error, StringComparison.Ordinal);
        Assert.Contains($"See 'sparkify {args[0]} --help' for the usage.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("load", "/tmp", "--no-such-option")]
    [InlineData("generate", "/tmp/x", "--songs", "1")]
    [InlineData("load", "/tmp", "--max-errors")]
    [InlineData("stats", "--json=maybe")]
    public async Task Unknown_options_and_missing_values_exit_2(params string[] args)
    {
        var result = await Sparkify.RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The class, not the examples: every option of every command that takes a typed value.</summary>
    [Fact]
    public async Task Every_typed_option_refuses_a_bad_value_in_words_with_exit_2()
    {
        var typed = SparkifyCommandLine.Build().Subcommands
            .SelectMany(command => command.Options.Select(option => (command, option)))
            .Where(pair => pair.option.ValueType != typeof(string) && pair.option.ValueType != typeof(FileInfo)
                && pair.option.ValueType != typeof(DirectoryInfo))
            .ToList();
        Assert.Contains(typed, pair => pair.option.Name == "--max-errors");
        Assert.Contains(typed, pair => pair.option.Name == "--json");

        foreach (var (command, option) in typed)
        {
            var arguments = command.Arguments.Select(_ => "/tmp/sparkify-no-such-folder");
            var result = await Sparkify.RunAsync([command.Name, .. arguments, $"{option.Name}=bogus"]);

            var what = $"{command.Name} {option.Name}=bogus";
            Assert.True(result.ExitCode == ExitCodes.UsageError, $"{what}: exit {result.ExitCode}, {result.Error}");
            Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
            Assert.Contains("'bogus'", result.Error, StringComparison.Ordinal);
            if (option.ValueType != typeof(bool))
            {
                Assert.Contains($"error: {option.Name} expects ", result.Error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Help_still_exits_0()
    {
        var result = await Sparkify.RunAsync("load", "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("--max-errors", result.Output, StringComparison.Ordinal);
    }
}
