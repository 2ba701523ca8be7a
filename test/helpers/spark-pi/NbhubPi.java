import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

public final class NbhubPi {
  public static void main(String[] args) throws Exception {
    int slices = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    long sleepSeconds = args.length > 1 ? Long.parseLong(args[1]) : 0;
    SparkSession spark = SparkSession.builder().getOrCreate();
    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    int n = 100000 * slices;
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) l.add(i);
    int count = jsc.parallelize(l, slices).map(i -> {
      double x = Math.random() * 2 - 1, y = Math.random() * 2 - 1;
      return (x * x + y * y <= 1) ? 1 : 0;
    }).reduce(Integer::sum);
    System.out.println("Pi is roughly " + 4.0 * count / n);
    System.out.flush();
    if (sleepSeconds > 0) Thread.sleep(sleepSeconds * 1000);
    spark.stop();
  }
}
