using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CsRun.Tests.Clients;

/// <summary>
/// A one-layer busybox image, built locally (there is no registry to pull from) as an OCI
/// image layout in a tar: what `ctr image import` and `podman load` both read.
/// </summary>
internal static class OciImage
{
    public const string Name = "localhost/csrun-busybox:test";

    /// <summary>Builds the image under <paramref name="dir"/> and returns the archive's path.</summary>
    public static string Build(string dir) => Build(dir, Name, MakeRootfs, new JsonObject
    {
        ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ["Cmd"] = new JsonArray("sh"),
    });

    /// <summary>
    /// Builds an image named <paramref name="name"/> from the tree <paramref name="makeRootfs"/> fills,
    /// with <paramref name="runConfig"/> as its config's "config" (Env, Cmd, Entrypoint...).
    /// </summary>
    public static string Build(string dir, string name, Action<string> makeRootfs, JsonObject runConfig)
    {
        string rootfs = Path.Combine(dir, "rootfs");
        makeRootfs(rootfs);
        string layout = Path.Combine(dir, "layout");
        string blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);

        string layerTar = Path.Combine(dir, "layer.tar");
        TarFile.CreateFromDirectory(rootfs, layerTar, includeBaseDirectory: false);
        var layer = AddBlob(blobs, File.ReadAllBytes(layerTar));
        File.Delete(layerTar);
        Directory.Delete(rootfs, recursive: true);

        var config = AddBlob(blobs, Json(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = runConfig,
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layer.Digest) },
        }));
        var manifest = AddBlob(blobs, Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar", layer)),
        }));
        var index = Descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
        // containerd names the image from its own annotation, podman from the OCI ref name.
        index["annotations"] = new JsonObject
        {
            ["io.containerd.image.name"] = name,
            ["org.opencontainers.image.ref.name"] = name,
        };
        File.WriteAllBytes(Path.Combine(layout, "index.json"), Json(new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(index) }));
        File.WriteAllText(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");

        string archive = Path.Combine(dir, "image.tar");
        TarFile.CreateFromDirectory(layout, archive, includeBaseDirectory: false);
        Directory.Delete(layout, recursive: true);
        return archive;
    }

    /// <summary>/bin/busybox with every applet linked to it, and a passwd that knows nobody.</summary>
    static void MakeRootfs(string rootfs)
    {
        string bin = Path.Combine(rootfs, "bin");
        Directory.CreateDirectory(bin);
        foreach (var d in new[] { "etc", "tmp", "root", "proc", "sys", "dev" }) Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        foreach (var applet in Applets().Where(a => a != "busybox"))
            File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    }

    static IEnumerable<string> Applets()
    {
        var psi = new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string list = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    sealed record Blob(string Digest, long Size);

    static Blob AddBlob(string blobs, byte[] content)
    {
        string hex = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        File.WriteAllBytes(Path.Combine(blobs, hex), content);
        return new Blob("sha256:" + hex, content.Length);
    }

    static JsonObject Descriptor(string mediaType, Blob blob) =>
        new() { ["mediaType"] = mediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };

    static byte[] Json(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
