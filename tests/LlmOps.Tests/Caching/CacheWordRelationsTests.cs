using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheWordRelationsTests
{
    private static CacheWordRelation Relate(string x, string y)
    {
        var table = CacheWordRelations.Default;
        var a = table.IndexOf(SemanticCacheFingerprint.Create(x).Sequence.Single());
        var b = table.IndexOf(SemanticCacheFingerprint.Create(y).Sequence.Single());
        Assert.True(a >= 0, $"'{x}' is not in the word-relation table");
        Assert.True(b >= 0, $"'{y}' is not in the word-relation table");
        return table.Relate(a, b);
    }

    [Fact]
    public void Default_ShippedTable_IsSmall()
    {
        var table = CacheWordRelations.Default;

        Assert.InRange(table.Count, 5_000, 40_000);
        Assert.InRange(table.ValueCount, table.Count, 20 * table.Count);
    }

    [Theory]
    [InlineData("big", "large")]
    [InlineData("biggest", "largest")]
    [InlineData("begin", "start")]
    [InlineData("repair", "fix")]
    [InlineData("sick", "ill")]
    [InlineData("parcel", "package")]
    public void Relate_Synonyms_Synonym(string x, string y)
        => Assert.True((Relate(x, y) & CacheWordRelation.Synonym) != 0, $"{x}/{y}: {Relate(x, y)}");

    [Theory]
    [InlineData("wet", "dry")]
    [InlineData("huge", "tiny")]
    [InlineData("buy", "sell")]
    [InlineData("lend", "borrow")]
    public void Relate_Opposites_AntonymNotSynonym(string x, string y)
    {
        var relation = Relate(x, y);

        Assert.True((relation & CacheWordRelation.Antonym) != 0, $"{x}/{y}: {relation}");
        Assert.Equal(CacheWordRelation.None, relation & CacheWordRelation.Synonym);
    }

    [Fact]
    public void Relate_DerivedSiblingsAndHypernyms_Named()
    {
        Assert.True((Relate("delete", "deletion") & CacheWordRelation.Derived) != 0, Relate("delete", "deletion").ToString());
        Assert.True((Relate("dog", "animal") & CacheWordRelation.Hypernym) != 0, Relate("dog", "animal").ToString());
        Assert.True((Relate("wasp", "bee") & CacheWordRelation.CoHyponym) != 0, Relate("wasp", "bee").ToString());
        Assert.True((Relate("employer", "employee") & CacheWordRelation.Antonym) != 0, Relate("employer", "employee").ToString());
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameRelations()
    {
        var table = new CacheWordRelations([3UL, 7UL, 9UL], [0, 2, 4, 5], [1, CacheWordRelations.AntonymKind << CacheWordRelations.KindShift | 5, 1, 2, 5]);
        using var stream = new MemoryStream();
        table.Save(stream);
        stream.Position = 0;

        var loaded = CacheWordRelations.Load(stream);

        Assert.Equal(3, loaded.Count);
        Assert.Equal(CacheWordRelation.Synonym, loaded.Relate(0, 1));
        Assert.Equal(CacheWordRelation.Antonym, loaded.Relate(0, 2));
        Assert.Equal(-1, loaded.IndexOf(8UL));
    }

    [Fact]
    public void Load_DamagedOrForeignData_ThrowsInvalidDataNamingTheFix()
    {
        var table = new CacheWordRelations([3UL, 7UL], [0, 1, 2], [1, 1]);
        using var stream = new MemoryStream();
        table.Save(stream);
        var bytes = stream.ToArray();
        bytes[^10] ^= 0x40;

        var damaged = Assert.Throws<InvalidDataException>(() => CacheWordRelations.Load(new MemoryStream(bytes)));
        var foreign = Assert.Throws<InvalidDataException>(() => CacheWordRelations.Load(new MemoryStream("not a table at all, really"u8.ToArray())));

        Assert.Contains("checksum", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("tools/LlmOps.Caching.Training", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("LLMOPSWR", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnsortedKeys_Throws()
        => Assert.Throws<ArgumentException>(() => new CacheWordRelations([7UL, 3UL], [0, 1, 2], [1, 1]));

    [Fact]
    public void Relate_EntriesWithEmptyRunsOfSomeKinds_EveryKindFound()
    {
        static uint V(uint kind, uint id) => (kind << CacheWordRelations.KindShift) | id;

        // 0: sense 1, ancestor 9 (no cluster, derived or antonym run); 1: ancestor 9 only; 2: sense 9;
        // 3: derived 1; 4: cluster 4 and antonym 5; 5: sense 5, cluster 6; 6: cluster 4.
        var table = new CacheWordRelations(
            [10UL, 20UL, 30UL, 40UL, 50UL, 60UL, 70UL],
            [0, 2, 3, 4, 5, 7, 9, 10],
            [V(CacheWordRelations.SenseKind, 1), V(CacheWordRelations.AncestorKind, 9), V(CacheWordRelations.AncestorKind, 9), V(CacheWordRelations.SenseKind, 9), V(CacheWordRelations.DerivedKind, 1),
             V(CacheWordRelations.ClusterKind, 4), V(CacheWordRelations.AntonymKind, 5), V(CacheWordRelations.SenseKind, 5), V(CacheWordRelations.ClusterKind, 6), V(CacheWordRelations.ClusterKind, 4)]);

        Assert.Equal(CacheWordRelation.CoHyponym, table.Relate(0, 1));
        Assert.Equal(CacheWordRelation.Hypernym, table.Relate(0, 2));
        Assert.Equal(CacheWordRelation.Derived, table.Relate(0, 3));
        Assert.Equal(CacheWordRelation.Antonym, table.Relate(4, 5));
        Assert.Equal(CacheWordRelation.Similar, table.Relate(4, 6));
        Assert.Equal(CacheWordRelation.None, table.Relate(3, 5));
        Assert.Equal(4, table.IndexOf(50UL));
        Assert.Equal(-1, table.IndexOf(55UL));
    }
}
