package io.mailroom.mailbox.delivery;

import org.springframework.data.jpa.repository.JpaRepository;

public interface DeliveryRepository extends JpaRepository<Delivery, Delivery.Key> {
}
