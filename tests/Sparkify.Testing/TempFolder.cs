namespace Sparkify.Testing;

/// <summary>A temp folder deleted on dispose, with helpers to write test input files into it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("sparkify-test-").FullName;

    public string Path { get; }

    public string Write(string relativePath, string content) => Write(relativePath, System.Text.Encoding.UTF8.GetBytes(content));

    public string Write(string relativePath, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>
    /// A file whose name is bytes that are not UTF-8 (possible on Linux), in <paramref name="relativeFolder"/>; made by
    /// the shell, since .NET cannot name it.
    /// </summary>
    public void WriteWithRawName(string relativeFolder, byte[] name, string content)
    {
        var folder = System.IO.Path.Combine(Path, relativeFolder);
        Directory.CreateDirectory(folder);
        var escaped = string.Concat(name.Select(b => $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}"));
        var info = new System.Diagnostics.ProcessStartInfo("sh") { WorkingDirectory = folder };
        foreach (var argument in new[] { "-c", $"printf '%s' \"$1\" > \"$(printf '{escaped}')\"", "sh", content })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"could not write a file with a raw name in {folder}");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans the temp folder.
        }
    }
}
