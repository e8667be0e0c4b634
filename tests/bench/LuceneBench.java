// Lucene 8 peer for tests/bench/run.sh: indexes docs.tsv (id, titel,
// samenvatting, meta, body) with DutchAnalyzer into OUT_DIR/lucene, one
// thread, a 40 MB RAM buffer (as our index writer), then times the query mix
// (top 20 over the four text fields, single thread). Prints one JSON line.
//
//   javac -cp CP -d DIR LuceneBench.java
//   java -cp CP:DIR LuceneBench OUT_DIR QUERIES_TXT

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.FSDirectory;

public class LuceneBench {
    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        Path idx = out.resolve("lucene");
        if (Files.exists(idx)) {
            try (Stream<Path> s = Files.walk(idx)) {
                s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        long t0 = System.nanoTime();
        DutchAnalyzer analyzer = new DutchAnalyzer();
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
        cfg.setRAMBufferSizeMB(40);
        int docs = 0;
        try (FSDirectory dir = FSDirectory.open(idx);
             IndexWriter w = new IndexWriter(dir, cfg);
             BufferedReader r = Files.newBufferedReader(out.resolve("docs.tsv"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", -1);
                Document d = new Document();
                d.add(new StringField("id", f[0], Field.Store.YES));
                d.add(new TextField("titel", f[1], Field.Store.NO));
                d.add(new TextField("samenvatting", f[2], Field.Store.NO));
                d.add(new TextField("meta", f[3], Field.Store.NO));
                d.add(new TextField("body", f[4], Field.Store.NO));
                w.addDocument(d);
                docs++;
            }
            w.commit();
        }
        double build = (System.nanoTime() - t0) / 1e9;
        long size = 0;
        try (Stream<Path> s = Files.walk(idx)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) size += Files.size(p);
            }
        }
        List<String> qs = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        List<Double> lat = new ArrayList<>();
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(idx))) {
            IndexSearcher searcher = new IndexSearcher(reader);
            Map<String, Float> boosts = new HashMap<>();
            boosts.put("titel", 3f);
            boosts.put("samenvatting", 2f);
            boosts.put("meta", 1.5f);
            boosts.put("body", 1f);
            MultiFieldQueryParser qp = new MultiFieldQueryParser(
                new String[] {"titel", "samenvatting", "meta", "body"}, analyzer, boosts);
            for (int round = 0; round < 3; round++) {
                for (String q : qs) {
                    if (q.isBlank()) continue;
                    long t = System.nanoTime();
                    Query query = qp.parse(QueryParser.escape(q));
                    searcher.search(query, 20);
                    searcher.count(query);
                    lat.add((System.nanoTime() - t) / 1e6);
                }
            }
        }
        Collections.sort(lat);
        double p50 = lat.get(lat.size() / 2);
        double p99 = lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1));
        System.out.printf(
            "{\"peer\":\"lucene-8.7-dutch\",\"docs\":%d,\"index_s\":%.3f,\"size_bytes\":%d,"
                + "\"query_p50_ms\":%.2f,\"query_p99_ms\":%.2f}%n",
            docs, build, size, p50, p99);
    }
}
