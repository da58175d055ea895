package io.taskmeter.aws;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Creates the tables and bucket where Terraform does not exist: the local mode and tests. Mirrors
 * infra/terraform; idempotent, so a restart of the local mode reuses its data.
 */
public final class Provisioning {
    private Provisioning() {
    }

    public static void createTables(DynamoDbClient ddb, TableNames tables) {
        create(ddb, tables.usage(), true);
        create(ddb, tables.attempts(), false);
        create(ddb, tables.insights(), false);
    }

    public static void createBucket(S3Client s3, String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException e) {
            // already there from an earlier run
        } catch (S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
    }

    private static void create(DynamoDbClient ddb, String name, boolean stream) {
        if (ddb.listTables().tableNames().contains(name)) {
            return;
        }
        try {
            ddb.createTable(b -> {
                b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(attr("pk"), attr("sk"))
                        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build());
                if (stream) {
                    b.streamSpecification(StreamSpecification.builder().streamEnabled(true)
                            .streamViewType(StreamViewType.KEYS_ONLY).build());
                }
            });
        } catch (ResourceInUseException e) {
            // created concurrently
        }
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }
}
