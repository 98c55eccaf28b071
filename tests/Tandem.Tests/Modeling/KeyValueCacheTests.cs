using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

/// <summary>The key/value cache keeps bf16 keys and values widened to float32 for inference (exactly), and a
/// decoding step then attends in float32.</summary>
public class KeyValueCacheTests
{
    [Fact]
    public void Bf16KeysAndValuesAreKeptAsExactFloat32()
    {
        manual_seed(11);
        using var noGrad = no_grad();
        using var cache = new KeyValueCache(1);
        using var k1 = randn(2, 3, 4, 8).to(ScalarType.BFloat16);
        using var v1 = randn(2, 3, 4, 8).to(ScalarType.BFloat16);
        using var k2 = randn(2, 3, 1, 8).to(ScalarType.BFloat16);
        using var v2 = randn(2, 3, 1, 8).to(ScalarType.BFloat16);
        KeyValueCache.AppendSelf(cache, 0, k1, v1);
        var (k, v) = KeyValueCache.AppendSelf(cache, 0, k2, v2);
        Assert.Equal(ScalarType.Float32, k.dtype);
        Assert.Equal([2L, 3, 5, 8], k.shape);
        Assert.True(k.to(ScalarType.BFloat16).eq(cat([k1, k2], 2)).all().item<bool>());       // exact: bf16 values widened
        Assert.True(v.eq(cat([v1, v2], 2).to(ScalarType.Float32)).all().item<bool>());
        Assert.Equal(5, cache.PastLength);

        using var states = randn(2, 6, 8);
        var (ck, cv) = KeyValueCache.Cross(cache, 0, states, s => (s.unsqueeze(1).to(ScalarType.BFloat16), s.unsqueeze(1).to(ScalarType.BFloat16)));
        Assert.Equal(ScalarType.Float32, ck.dtype);
        var (again, _) = KeyValueCache.Cross(cache, 0, null, _ => throw new InvalidOperationException("computed twice"));
        Assert.Same(ck, again);

        var (uncachedKey, _) = KeyValueCache.AppendSelf(null, 0, k2, v2);                        // no cache: as given
        Assert.Equal(ScalarType.BFloat16, uncachedKey.dtype);
    }

    [Fact]
    public void KeysThatRecordGradientsKeepTheirDtype()
    {
        using var cache = new KeyValueCache(1);
        using var k = randn(1, 2, 3, 4).to(ScalarType.BFloat16).requires_grad_();
        using var v = randn(1, 2, 3, 4).to(ScalarType.BFloat16).requires_grad_();
        var (kept, _) = KeyValueCache.AppendSelf(cache, 0, k, v);
        Assert.Equal(ScalarType.BFloat16, kept.dtype);
    }

    [Fact]
    public void ABf16QueryAttendsAFloat32CacheInFloat32()
    {
        manual_seed(12);
        using var noGrad = no_grad();
        using var q = randn(2, 3, 1, 8).to(ScalarType.BFloat16);
        using var k = randn(2, 3, 5, 8).to(ScalarType.BFloat16).to(ScalarType.Float32);
        using var v = randn(2, 3, 5, 8).to(ScalarType.BFloat16).to(ScalarType.Float32);
        using var mask = zeros(2, 1, 1, 5);
        mask[1, 0, 0, 0] = -3.3895e38f;                                                         // a padded position
        using var bf16Mask = mask.to(ScalarType.BFloat16);
        using var got = MultiHeadAttention.Attend(q, k, v, bf16Mask, 0.0);
        using var expected = MultiHeadAttention.Attend(q.to(ScalarType.Float32), k, v, mask, 0.0);
        Assert.Equal(ScalarType.Float32, got.dtype);
        Assert.True(got.allclose(expected, rtol: 1e-6, atol: 1e-6));
    }
}
