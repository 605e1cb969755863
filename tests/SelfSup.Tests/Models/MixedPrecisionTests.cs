using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Models;

/// <summary>bf16 autocast through libtorch's exported switch: the symbols, the per-thread scope, the arithmetic, the encoder.</summary>
public sealed class MixedPrecisionTests
{
    [Fact]
    public void The_autocast_symbols_bind_and_a_scope_turns_it_on_and_off_again()
    {
        Autocast.EnsureAvailable();
        Assert.False(Autocast.IsEnabled());
        using (Autocast.Enter(Precision.Bf16))
        {
            Assert.True(Autocast.IsEnabled());
            Assert.Equal(ScalarType.BFloat16, Autocast.Dtype());
            using (Autocast.Enter(Precision.Bf16)) Assert.True(Autocast.IsEnabled());
            Assert.True(Autocast.IsEnabled()); // the inner scope restored the outer state
        }
        Assert.False(Autocast.IsEnabled());
        using (Autocast.Enter(Precision.Fp32)) Assert.False(Autocast.IsEnabled());
    }

    /// <summary>
    /// What a bf16 convolution should give: the fp64 convolution (3×3, padding 1) of the operands rounded to bf16, so
    /// only the bf16 kernel's own accumulation order separates the two.
    /// </summary>
    private static Tensor RoundedOperandConvolution(Tensor x, Tensor w)
    {
        static Tensor Bf16Rounded(Tensor t) => t.to(ScalarType.BFloat16).to(ScalarType.Float64);
        return nn.functional.conv2d(Bf16Rounded(x), Bf16Rounded(w), padding: [1, 1]);
    }

    [Fact]
    public void A_convolution_under_autocast_equals_the_fp64_convolution_of_bf16_rounded_operands()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(5);
        var x = torch.randn([4, 16, 12, 12], generator: g);
        var w = torch.randn([32, 16, 3, 3], generator: g) * 0.1;
        Tensor y;
        using (Autocast.Enter(Precision.Bf16)) y = nn.functional.conv2d(x, w, padding: [1, 1]);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        var reference = RoundedOperandConvolution(x, w);
        var full = nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: [1, 1]);
        double scale = full.abs().max().item<double>();
        double vsRounded = (y.to(ScalarType.Float64) - reference).abs().max().item<double>() / scale;
        double vsFull = (y.to(ScalarType.Float64) - full).abs().max().item<double>() / scale;
        Assert.True(vsRounded < 2.0 / 256, $"bf16 conv differs from the rounded-operand reference by {vsRounded:G3} of its range");
        Assert.True(vsFull > 1e-5, "the autocast convolution matched fp32 exactly: it did not run in bf16");
        // outside the scope the same op is fp32 again
        Assert.Equal(ScalarType.Float32, nn.functional.conv2d(x, w, padding: [1, 1]).dtype);
    }

    [Theory]
    [InlineData(1, 8, false)]    // the width-8 stem on one-channel images
    [InlineData(8, 8, false)]    // width-8 stage 1 (narrow models stay NCHW)
    [InlineData(3, 8, false)]
    [InlineData(16, 24, false)]
    [InlineData(16, 24, true)]
    public void A_convolution_with_output_channels_off_the_16_block_is_right_under_autocast_without_gradients(int cin, int cout, bool nhwc)
    {
        // libtorch 2.10's bf16 CPU convolution gets these wrong by 35–79 % of the output's range when called directly
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var conv = new Conv2dLayer(cin, cout, 3, padding: 1) { ChannelsLast = nhwc };
        var x = torch.randn([32, cin, 28, 28]);
        Tensor y;
        using (torch.no_grad())
        using (Autocast.Enter(Precision.Bf16)) y = conv.forward(x);
        Assert.Equal([32L, cout, 28, 28], y.shape);
        var reference = RoundedOperandConvolution(x, conv.Weight.detach());
        double error = (y.to(ScalarType.Float64) - reference).abs().max().item<double>() / reference.abs().max().item<double>();
        Assert.True(error < 2.0 / 256, $"{cin}→{cout} bf16 conv differs from the rounded-operand reference by {error:P1} of its range");
    }

    [Fact]
    public void Autocast_is_per_thread_so_a_thread_started_inside_a_scope_runs_fp32()
    {
        bool otherEnabled = true;
        ScalarType otherDtype = ScalarType.BFloat16;
        using (Autocast.Enter(Precision.Bf16))
        {
            var thread = new Thread(() =>
            {
                otherEnabled = Autocast.IsEnabled();
                using var scope = torch.NewDisposeScope();
                otherDtype = nn.functional.linear(torch.ones(2, 4), torch.ones(3, 4)).dtype;
            });
            thread.Start();
            thread.Join();
            Assert.True(Autocast.IsEnabled());
        }
        Assert.False(otherEnabled);
        Assert.Equal(ScalarType.Float32, otherDtype);
    }

    [Fact]
    public void A_bf16_encoder_returns_fp32_embeddings_near_fp32_and_fp32_gradients_for_fp32_weights()
    {
        torch.manual_seed(1);
        using var encoder = new Encoder(new EncoderConfig("resnet18", 3, 16, ProjDim: 32));
        MemoryLayout.UseChannelsLast(encoder);
        encoder.train();
        using var scope = torch.NewDisposeScope();
        var x = MemoryLayout.ChannelsLast(torch.randn([16, 3, 16, 16], generator: new torch.Generator(2)));

        var z32 = encoder.forward(x);
        z32.square().sum().backward();
        var g32 = encoder.parameters().Select(p => p.grad!.flatten().clone()).ToArray();
        encoder.zero_grad();

        encoder.Precision = Precision.Bf16;
        var z16 = encoder.forward(x);
        Assert.Equal(ScalarType.Float32, z16.dtype);
        Assert.False(Autocast.IsEnabled(), "the encoder left autocast on");
        // PyTorch 1.13's autocast on the same architecture in train mode (batch statistics amplify the rounding):
        // 4.4 % relative difference of the embeddings, 1.3–2.0 % of the features (measured here)
        double relative = ((z16 - z32).norm() / z32.norm()).item<float>();
        Assert.InRange(relative, 1e-5, 0.10); // bf16 (not identical) and close
        z16.square().sum().backward();
        Assert.All(encoder.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(encoder.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        var g16 = torch.cat(encoder.parameters().Select(p => p.grad!.flatten()).ToArray());
        var g = torch.cat(g32);
        double cosine = (g16.dot(g) / (g16.norm() * g.norm())).item<float>();
        // PyTorch 1.13's autocast, same architecture, batch and loss: cosine 0.935 (measured here)
        Assert.True(cosine > 0.9, $"bf16 gradient direction differs from fp32's (cosine {cosine:F4})");
    }

    [Fact]
    public void Under_bf16_only_the_backbone_is_autocast_and_the_projector_runs_in_fp32()
    {
        torch.manual_seed(5);
        using var encoder = new Encoder(new EncoderConfig("resnet18", 1, 16, ProjDim: 64));
        encoder.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.randn([8, 1, 16, 16], generator: new torch.Generator(7));
        encoder.Precision = Precision.Bf16;
        var z = encoder.forward(x);
        var features = encoder.Features(x);                       // bf16 backbone, handed back as fp32
        encoder.Precision = Precision.Fp32;
        var fp32Projector = encoder.Project(features);
        Tensor bf16Projector;
        using (Autocast.Enter(Precision.Bf16)) bf16Projector = encoder.Project(features).to(ScalarType.Float32);

        double Relative(Tensor a, Tensor b) => ((a - b).norm() / b.norm()).item<float>();
        Assert.InRange(Relative(z, fp32Projector), 0, 1e-6);
        // the same projector under autocast rounds its linear layers to bf16: the check above can tell the two apart
        Assert.InRange(Relative(bf16Projector, fp32Projector), 1e-4, 0.1);
    }

    [Fact]
    public void Bf16_features_in_eval_mode_are_within_a_percent_of_fp32()
    {
        // PyTorch 1.13 autocast, same architecture, eval mode: 0.3–0.5 % relative difference of the features (measured here)
        torch.manual_seed(4);
        using var encoder = new Encoder(new EncoderConfig("resnet18", 3, 16, ProjDim: 32));
        encoder.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.randn([8, 3, 16, 16], generator: new torch.Generator(6));
        var f32 = encoder.Features(x);
        encoder.Precision = Precision.Bf16;
        var f16 = encoder.Features(x);
        Assert.Equal(ScalarType.Float32, f16.dtype);
        Assert.InRange(((f16 - f32).norm() / f32.norm()).item<float>(), 1e-5, 0.01);
    }

    [Theory]
    [InlineData("fp32", Precision.Fp32)]
    [InlineData("bf16", Precision.Bf16)]
    [InlineData("BF16", Precision.Bf16)]
    public void Precision_names_resolve(string name, Precision expected) =>
        Assert.Equal(expected, PrecisionSetting.Resolve(name));

    [Fact]
    public void Auto_is_bf16_on_cuda_and_an_unknown_name_names_the_flag()
    {
        Assert.Equal(Precision.Bf16, PrecisionSetting.Resolve("auto", "cuda"));
        var e = Assert.Throws<SelfSupError>(() => PrecisionSetting.Resolve("fp16"));
        Assert.Contains("`precision` fp16", e.Message);
        Assert.Contains("bf16", e.Message);
        Assert.Throws<SelfSupError>(() => new TrainConfig { Precision = "half" }.Validate());
        new TrainConfig { Precision = "bf16", Width = 8 }.Validate();   // once refused; see Conv2dLayerTests
    }

    [Fact]
    public void A_resume_refuses_a_different_precision_unless_forced()
    {
        var saved = new TrainConfig { Precision = "bf16" };
        var requested = new TrainConfig { Precision = "fp32" };
        var e = Assert.Throws<SelfSupError>(() => ResumeSettings.Merge(saved, requested, ["precision"], force: false));
        Assert.Contains("`precision` \"fp32\"", e.Message);
        Assert.Equal("fp32", ResumeSettings.Merge(saved, requested, ["precision"], force: true).Precision);
    }

    [Fact]
    public void A_config_json_from_before_the_precision_setting_reads_as_fp32_and_one_with_it_keeps_its_value()
    {
        var written = System.Text.Json.Nodes.JsonNode.Parse(new TrainConfig().ToJson())!.AsObject();
        Assert.Equal("auto", written["precision"]!.GetValue<string>());   // today's default, recorded in every new run
        Assert.Equal("auto", TrainConfig.FromJson(written.ToJsonString(), "new config.json").Precision);
        written.Remove("precision");                                     // as runs before the setting wrote it
        Assert.Equal("fp32", TrainConfig.FromJson(written.ToJsonString(), "old config.json").Precision);
    }

    [Fact]
    public void A_readout_uses_the_runs_precision_unless_asked_and_reads_an_fp64_run_in_fp32()
    {
        Assert.Equal(Precision.Bf16, new TrainConfig { Precision = "bf16" }.ReadoutPrecision());
        Assert.Equal(Precision.Fp32, new TrainConfig { Precision = "bf16" }.ReadoutPrecision("fp32"));
        Assert.Equal(Precision.Bf16, new TrainConfig { Precision = "fp32" }.ReadoutPrecision("bf16"));
        Assert.Equal(Precision.Fp32, new TrainConfig { Precision = "fp64" }.ReadoutPrecision());
        Assert.Throws<SelfSupError>(() => new TrainConfig().ReadoutPrecision("fp8"));
    }
}
