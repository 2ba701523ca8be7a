"""A PySpark application that keeps its executors busy (Python workers burning CPU) until a file appears.

argv: <stop file> <most seconds>. Prints `APP <application id>` once the application is registered.
Bounded: each task burns ~0.3 s, and the whole stops after <most seconds> whatever happens.
"""
import os
import sys
import time

from pyspark.sql import SparkSession

stop, most = sys.argv[1], float(sys.argv[2])
spark = SparkSession.builder.appName("nbhub-usage-e2e").getOrCreate()
sc = spark.sparkContext
print("APP", sc.applicationId, flush=True)


def burn(i):
    t = time.time()
    n = 0
    while time.time() - t < 0.3:
        n += i
    return n


started = time.time()
while not os.path.exists(stop) and time.time() - started < most:
    sc.parallelize(range(4), 2).map(burn).collect()
spark.stop()
