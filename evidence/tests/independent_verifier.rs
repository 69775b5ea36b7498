//! Our log checked by an implementation we did not write (Cloudflare's `tlog_tiles` and
//! `signed_note`, ported from Go's golang.org/x/mod/sumdb): it reads our tiles through its own
//! authenticating tile reader, proves entries and tree growth from them, parses our checkpoint
//! and verifies our signature with our published key text. If any of our formats drifted from
//! the specifications, this fails.
use evidence::checkpoint::Checkpoint;
use evidence::merkle::{Tree, leaf_hash};
use evidence::note::NoteSigner;
use evidence::tiles::{self, TileRef};
use tlog_tiles::{Hash, Tile, TileHashReader, TileReader};

struct OurTiles<'a> {
    tree: &'a Tree,
    size: u64,
}

impl TileReader for OurTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, wanted: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        wanted
            .iter()
            .map(|t| {
                let ours =
                    TileRef { level: Some(t.level()), index: t.level_index(), width: (t.width() != 256).then(|| u16::try_from(t.width()).expect("width")) };
                // The same coordinates spell the same path (theirs carries the height, as Go's does).
                assert_eq!(t.path().replacen("tile/8/", "tile/", 1), ours.path());
                assert_eq!(TileRef::parse(&ours.path()), Some(ours));
                tiles::hash_tile(self.tree, self.size, ours).ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

#[test]
fn another_implementation_proves_entries_and_growth_from_our_tiles() {
    // More than 256·256 entries, so a full level-1 tile is read too.
    let n: u64 = 66_000;
    let entries: Vec<Vec<u8>> = (0..n).map(|i| format!("{{\"kind\":\"segment\",\"index\":{i}}}").into_bytes()).collect();
    let tree = Tree::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
    for size in [1, 2, 255, 256, 257, 1000, 65_536, n] {
        let root = Hash(tree.root_at(size).expect("root"));
        let reader = OurTiles { tree: &tree, size };
        let hashes = TileHashReader::new(size, root, &reader);
        assert_eq!(tlog_tiles::tree_hash(size, &hashes).expect("their tree hash"), root, "root of {size}");
        for index in [0, size / 2, size - 1] {
            let theirs = tlog_tiles::prove_record(size, index, &hashes).expect("their proof");
            let ours = tree.inclusion_proof(index, size).expect("our proof");
            assert_eq!(theirs.iter().map(|h| h.0).collect::<Vec<_>>(), ours, "the same proof of {index} in {size}");
            tlog_tiles::check_record(&theirs, size, root, index, Hash(leaf_hash(&entries[index as usize]))).expect("they accept it");
        }
        for old in [1, size / 3, size] {
            let old = old.max(1);
            let proof = tlog_tiles::prove_tree(size, old, &hashes).expect("their consistency proof");
            assert_eq!(proof.iter().map(|h| h.0).collect::<Vec<_>>(), tree.consistency_proof(old, size).expect("ours"));
            tlog_tiles::check_tree(&proof, size, root, old, Hash(tree.root_at(old).expect("old root"))).expect("they accept growth");
        }
    }
}

#[test]
fn another_implementation_reads_our_checkpoint_and_verifies_our_signature() {
    let signer = NoteSigner::from_seed("exam.example.org/evidence", [42; 32]).expect("signer");
    let mut tree = Tree::new();
    for i in 0..1000u32 {
        tree.push(&i.to_be_bytes());
    }
    let cp = Checkpoint { origin: "exam.example.org/evidence".into(), size: tree.size(), root: tree.root() };
    let note = cp.sign(&signer).expect("sign");
    let verifier = signed_note::StandardVerifier::new(&signer.verifier_text()).expect("they read our key text");
    let parsed = signed_note::Note::from_bytes(note.as_bytes()).expect("they read our note");
    let (verified, _) = parsed.verify(&signed_note::VerifierList::new(vec![Box::new(verifier.clone())])).expect("they verify our signature");
    assert_eq!(verified.len(), 1);
    let theirs = tlog_tiles::Checkpoint::from_bytes(parsed.text()).expect("they read our checkpoint");
    assert_eq!((theirs.origin(), theirs.size(), theirs.hash().0), ("exam.example.org/evidence", 1000, tree.root()));
    // Their signer's key text is ours too: a key they make, we sign with, and they verify.
    let (skey, vkey) = signed_note::generate_key(&mut rand_core_os(), "exam.example.org/evidence");
    let ours = NoteSigner::from_text(&skey).expect("we read their private key text");
    assert_eq!(ours.verifier_text(), vkey);
    let note = cp.sign(&ours).expect("sign");
    let v = signed_note::StandardVerifier::new(&vkey).expect("key");
    signed_note::Note::from_bytes(note.as_bytes()).expect("note").verify(&signed_note::VerifierList::new(vec![Box::new(v)])).expect("verified");
    // A changed size breaks their verification.
    let forged = note.replacen("\n1000\n", "\n1001\n", 1);
    let v = signed_note::StandardVerifier::new(&vkey).expect("key");
    assert!(signed_note::Note::from_bytes(forged.as_bytes()).expect("note").verify(&signed_note::VerifierList::new(vec![Box::new(v)])).is_err());
}

fn rand_core_os() -> impl rand_core::CryptoRngCore {
    rand_core::OsRng
}
