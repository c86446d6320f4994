package io.memquorum.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small web shop whose HTTP sessions and product cache live in replicated memcached
 * through the memquorum starter. Run it against three local nodes with {@code ./demo}
 * from the repository root.
 */
@SpringBootApplication
@EnableCaching
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
