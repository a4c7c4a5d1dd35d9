// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The names the three programs of the durable Kafka worker agree on.
public enum KafkaExample {
    /// Deletion requests: one message per record, its value the record id as a JSON string; a cancellation of a
    /// record's deletion has the value `{"cancel": "<record id>"}`.
    public static let requestsTopic = "records_to_be_deleted"
    /// Completions: one message per deleted record, keyed by the record id, its value `[recordId, offset]`; a
    /// record whose deletion was canceled gets `[recordId, offset, "canceled"]`.
    public static let completionsTopic = "records_that_were_deleted"
    /// The Kafka consumer group of the workers.
    public static let consumerGroup = "record_consumer_group"
    /// The Resonate group of the workers: any of them runs or resumes any record's workflow.
    public static let resonateGroup = "workers"
    /// The records database the producer fills and the workers empty.
    public static let defaultDatabase = "records.db"
}
