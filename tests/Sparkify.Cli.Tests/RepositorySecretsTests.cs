using System.Text.RegularExpressions;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.Cli.Tests;

/// <summary>The security pass, kept: no credential is ever committed. Passwords come from parameters and the environment.</summary>
public sealed partial class RepositorySecretsTests
{
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git"];

    [Fact]
    public void No_file_in_the_repository_holds_a_credential()
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var findings = new List<string>();
        var scanned = 0;
        foreach (var path in Files(root).Where(p => Path.GetFileName(p) != nameof(RepositorySecretsTests) + ".cs"))
        {
            scanned++;
            var text = File.ReadAllText(path);
            foreach (var pattern in (Regex[])[AwsAccessKey(), PrivateKey(), LiteralPassword(), AwsSecretAssignment()])
            {
                if (pattern.Match(text) is { Success: true } match)
                {
                    findings.Add($"{Path.GetRelativePath(root, path)}: {match.Value}");
                }
            }
        }
        Assert.True(scanned > 50, $"only {scanned} files scanned under {root}");
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Password=hunter2;Database=x")]
    [InlineData("aws_secret_access_key = abcdefghijklmnopqrstuvwxyz0123456789ABCD")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE here")]
    public void The_scan_recognises_what_it_looks_for(string leaked) =>
        Assert.Contains((Regex[])[AwsAccessKey(), PrivateKey(), LiteralPassword(), AwsSecretAssignment()], p => p.IsMatch(leaked));

    private static IEnumerable<string> Files(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (Path.GetExtension(file) is ".cs" or ".sh" or ".json" or ".md" or ".mjs" or ".props" or ".csproj" or ".yml" or ".yaml" or ".sql" or "")
            {
                yield return file;
            }
        }
        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !SkippedFolders.Contains(Path.GetFileName(d))))
        {
            foreach (var file in Files(child))
            {
                yield return file;
            }
        }
    }

    [GeneratedRegex(@"\bAKIA[0-9A-Z]{16}\b")]
    private static partial Regex AwsAccessKey();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    // A password written out, rather than taken from a parameter ({Password}), a variable ($…) or a placeholder (<…>, ...).
    [GeneratedRegex(@"Password=(?![{$<]|\.\.\.)[^;""\s`]+", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();

    [GeneratedRegex(@"aws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+]{30,}", RegexOptions.IgnoreCase)]
    private static partial Regex AwsSecretAssignment();
}
