using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using SelfSup.Interop;
using Xunit;

namespace SelfSup.Tests.Interop;

/// <summary>Damaged .safetensors files are refused from their header, naming the tensor, before anything is allocated.</summary>
public sealed class SafetensorsDamageTests(TinyTrainedRun trained) : IClassFixture<TinyTrainedRun>
{
    /// <summary>The trained backbone exported, its header edited by <paramref name="edit"/>, the data kept; returns the file.</summary>
    private string WithHeader(TempDir dir, Action<JsonObject> edit)
    {
        WeightExport.Export(trained.Run, dir.File("w.safetensors"), null, "backbone");
        byte[] bytes = File.ReadAllBytes(dir.File("w.safetensors"));
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        edit(header);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        File.WriteAllBytes(dir.File("bad.safetensors"), [.. length, .. json, .. bytes.AsSpan(8 + headerLength)]);
        return dir.File("bad.safetensors");
    }

    private static string Refusal(string file) =>
        Assert.Throws<SelfSupError>(() => WeightsFile.Read(file, "safetensors")).Message;

    [Fact]
    public void A_shape_promising_more_data_than_the_file_holds_is_refused_naming_the_tensor()
    {
        using var dir = new TempDir();
        string file = WithHeader(dir, h => h["layer4.1.conv2.weight"]!["shape"] = new JsonArray(1_000_000, 1_000_000, 1000));
        string message = Refusal(file);
        Assert.Contains("'layer4.1.conv2.weight'", message);
        Assert.Contains("more than the file holds", message);
    }

    [Fact]
    public void Offsets_past_the_end_and_unknown_dtypes_are_refused()
    {
        using var dir = new TempDir();
        Assert.Contains("do not lie within", Refusal(WithHeader(dir, h => h["conv1.weight"]!["data_offsets"] = new JsonArray(0, 1L << 40))));
        Assert.Contains("'Q8' is not one safetensors defines", Refusal(WithHeader(dir, h => h["bn1.bias"]!["dtype"] = "Q8")));
        Assert.Contains("lacks dtype, shape or data_offsets", Refusal(WithHeader(dir, h => h["bn1.weight"]!.AsObject().Remove("shape"))));
        Assert.Contains("not an integer", Refusal(WithHeader(dir, h => h["bn1.weight"]!["shape"] = new JsonArray(1.5))));
    }

    [Fact]
    public void A_truncated_file_or_a_header_that_is_not_JSON_is_refused()
    {
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("w.safetensors"), null, "backbone");
        byte[] bytes = File.ReadAllBytes(dir.File("w.safetensors"));
        File.WriteAllBytes(dir.File("cut.safetensors"), bytes[..^100]);
        Assert.Contains("do not lie within", Refusal(dir.File("cut.safetensors")));
        File.WriteAllBytes(dir.File("short.safetensors"), bytes[..200]);
        Assert.Contains("header length field", Refusal(dir.File("short.safetensors")));
        bytes[8] = (byte)'[';
        File.WriteAllBytes(dir.File("json.safetensors"), bytes);
        Assert.Contains("not valid JSON", Refusal(dir.File("json.safetensors")));
    }
}
