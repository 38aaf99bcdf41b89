namespace Sparkify.Pipeline.Passwords;

/// <summary>A file holding the password alone (a trailing line break is not part of it).</summary>
public sealed class FilePasswordSource(string path) : IPasswordSource
{
    public string Description => $"the file {path}";

    public async Task<string> ReadAsync(CancellationToken cancellationToken) =>
        (await File.ReadAllTextAsync(path, cancellationToken)).TrimEnd('\r', '\n');
}
