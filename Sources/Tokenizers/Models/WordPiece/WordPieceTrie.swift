/// WordPiece's vocabulary as two tries over Unicode scalars, one for a word's first piece and
/// one for continuation pieces (keyed without the "##" prefix), for the greedy longest match.
///
/// Why this shape: most lookups are one scalar long (a Korean syllable, a digit, a letter that
/// starts no longer entry), so a piece's first scalar is read from a flat per-root array over
/// the Basic Multilingual Plane (the Hangul block is 44 KB per root, cache-resident), and a
/// node records whether any entry extends it and a 32-bit signature of the scalars its
/// children add, so the walk usually stops without a hash probe. Deeper edges, and first
/// scalars above the BMP, are in one open-addressing table keyed by (parent node, scalar).
struct WordPieceTrie: Sendable {
    /// A node, packed: token id + 1 in the low 31 bits (0: not an entry), and whether it has children.
    typealias Node = UInt32
    static let hasChildren: Node = 1 << 31
    static let idMask: Node = hasChildren - 1

    /// A node, the identity its children are keyed by, and its children's signature.
    struct Position {
        var identity: UInt32
        var node: Node
        var children: UInt32
    }

    enum Root: Int { case first = 0, continuation = 1 }

    fileprivate struct Edge {
        /// (parent identity << 21 | scalar); 0 marks an empty slot (identities start at 1).
        var key: UInt64
        var child: UInt32
        var node: Node
        var children: UInt32
    }

    private let roots: Int
    /// The node of each one-scalar piece of the BMP, per root: roots × 0x10000 entries.
    private var firstScalars: [Node]
    /// The children's signature of each of those nodes (read only when it has children).
    private var firstChildren: [UInt32]
    private var edges: [Edge]
    private var edgeMask: Int

    /// Identity of the one-scalar node `scalar` under `root` (also for scalars above the BMP).
    @inline(__always)
    fileprivate static func rootChild(_ root: Int, _ scalar: UInt32) -> UInt32 { (UInt32(root) << 21 | scalar) + 1 }
    /// Identity of a root itself (parent of its non-BMP first scalars).
    fileprivate static func rootIdentity(_ root: Int) -> UInt32 { (1 << 23) + UInt32(root) }

    /// `firstEntries` and `continuationEntries`: (scalars, id) pairs, later ids winning for a
    /// repeated entry; with `sharedRoots` continuation pieces use the first-piece trie (an
    /// empty continuation prefix).
    init(firstEntries: [([UInt32], Int32)], continuationEntries: [([UInt32], Int32)], sharedRoots: Bool) {
        roots = sharedRoots ? 1 : 2
        firstScalars = [Node](repeating: 0, count: roots << 16)
        firstChildren = [UInt32](repeating: 0, count: roots << 16)
        var built: [UInt64: Edge] = [:]
        var nextIdentity = WordPieceTrie.rootIdentity(1) + 1
        for (root, entries) in [(0, firstEntries), (roots - 1, sharedRoots ? [] : continuationEntries)] {
            for (scalars, id) in entries where !scalars.isEmpty && id >= 0 && id < Int32.max {
                var parent = WordPieceTrie.rootIdentity(root)
                for (depth, scalar) in scalars.enumerated() {
                    let isLast = depth == scalars.count - 1
                    // A node is an entry (last scalar) or has a child (the next scalar).
                    func update(_ node: inout Node, _ children: inout UInt32) {
                        if isLast {
                            node = (node & WordPieceTrie.hasChildren) | (UInt32(id) + 1)
                        } else {
                            node |= WordPieceTrie.hasChildren
                            children |= WordPieceTrie.signature(scalars[depth + 1])
                        }
                    }
                    if depth == 0 && scalar < 0x10000 {
                        let index = root << 16 | Int(scalar)
                        update(&firstScalars[index], &firstChildren[index])
                        parent = WordPieceTrie.rootChild(root, scalar)
                        continue
                    }
                    let key = UInt64(parent) << 21 | UInt64(scalar)
                    var edge = built[key] ?? Edge(key: key, child: 0, node: 0, children: 0)
                    if built[key] == nil {
                        edge.child = depth == 0 ? WordPieceTrie.rootChild(root, scalar) : nextIdentity
                        if depth > 0 { nextIdentity += 1 }
                    }
                    update(&edge.node, &edge.children)
                    built[key] = edge
                    parent = edge.child
                }
            }
        }
        var size = 16
        while size < built.count * 2 { size <<= 1 }
        edges = [Edge](repeating: Edge(key: 0, child: 0, node: 0, children: 0), count: size)
        edgeMask = size - 1
        for (key, edge) in built {
            var slot = WordPieceTrie.slot(key) & edgeMask
            while edges[slot].key != 0 { slot = (slot + 1) & edgeMask }
            edges[slot] = edge
        }
    }

    /// One bit per scalar (a multiplicative hash's top 5 bits): a node whose signature lacks the
    /// next scalar's bit has no child by it.
    @inline(__always)
    static func signature(_ scalar: UInt32) -> UInt32 { 1 << ((scalar &* 0x9E37_79B1) >> 27) }

    @inline(__always)
    fileprivate static func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
    }

    /// Runs `body` with raw views of the tables (no per-lookup array access in hot loops).
    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try firstScalars.withUnsafeBufferPointer { firstScalars in
            try firstChildren.withUnsafeBufferPointer { firstChildren in
                try edges.withUnsafeBufferPointer { edges in
                    try body(View(roots: roots, firstScalars: firstScalars, firstChildren: firstChildren, edges: edges,
                                  edgeMask: edgeMask))
                }
            }
        }
    }

    /// The tables as raw buffers, valid inside `withView`.
    struct View {
        fileprivate let roots: Int
        fileprivate let firstScalars: UnsafeBufferPointer<Node>
        fileprivate let firstChildren: UnsafeBufferPointer<UInt32>
        fileprivate let edges: UnsafeBufferPointer<Edge>
        fileprivate let edgeMask: Int

        /// The one-scalar node for `scalar` starting a piece under `root`, or nil.
        @inline(__always)
        func start(_ root: Root, _ scalar: UInt32) -> Position? {
            let index = root.rawValue & (roots - 1)
            if scalar < 0x10000 {
                let slot = index << 16 | Int(scalar)
                let node = firstScalars[slot]
                if node == 0 { return nil }
                let children = node & WordPieceTrie.hasChildren == 0 ? 0 : firstChildren[slot]
                return Position(identity: WordPieceTrie.rootChild(index, scalar), node: node, children: children)
            }
            return step(WordPieceTrie.rootIdentity(index), scalar)
        }

        /// The child of `position` by `scalar`, or nil.
        @inline(__always)
        func next(_ position: Position, _ scalar: UInt32) -> Position? {
            guard position.children & WordPieceTrie.signature(scalar) != 0 else { return nil }
            return step(position.identity, scalar)
        }

        @inline(__always)
        private func step(_ parent: UInt32, _ scalar: UInt32) -> Position? {
            let key = UInt64(parent) << 21 | UInt64(scalar)
            var slot = WordPieceTrie.slot(key) & edgeMask
            while true {
                let edge = edges[slot]
                if edge.key == key { return Position(identity: edge.child, node: edge.node, children: edge.children) }
                if edge.key == 0 { return nil }
                slot = (slot + 1) & edgeMask
            }
        }
    }
}
