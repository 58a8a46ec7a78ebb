using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace CsRun.Tests.Clients;

/// <summary>
/// The busybox image of <see cref="OciImage"/> as an archive `docker load` reads: Debian's
/// dockerd 20.10 only knows the docker-archive format, so the OCI layout gets the docker
/// manifest.json next to its index, naming the same blobs (docker 25 writes both the same way).
/// </summary>
internal static class DockerImage
{
    /// <summary>Writes the docker-loadable copy of <paramref name="ociArchive"/> into <paramref name="dir"/>; returns its path.</summary>
    public static string FromOciArchive(string ociArchive, string dir)
    {
        string layout = Path.Combine(dir, "docker-layout");
        Directory.CreateDirectory(layout);
        TarFile.ExtractToDirectory(ociArchive, layout, overwriteFiles: false);

        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifest = JsonNode.Parse(File.ReadAllText(BlobPath(layout, (string)index["manifests"]![0]!["digest"]!)))!;
        var layers = new JsonArray(manifest["layers"]!.AsArray().Select(l => (JsonNode)BlobName((string)l!["digest"]!)).ToArray());
        var entry = new JsonObject
        {
            ["Config"] = BlobName((string)manifest["config"]!["digest"]!),
            ["RepoTags"] = new JsonArray(OciImage.Name),
            ["Layers"] = layers,
        };
        File.WriteAllText(Path.Combine(layout, "manifest.json"), new JsonArray(entry).ToJsonString());

        string archive = Path.Combine(dir, "docker-image.tar");
        TarFile.CreateFromDirectory(layout, archive, includeBaseDirectory: false);
        Directory.Delete(layout, recursive: true);
        return archive;
    }

    static string BlobName(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    static string BlobPath(string layout, string digest) => Path.Combine(layout, BlobName(digest));
}
