-- dialect: postgres
-- The compiled_code (dbt-synapse) of model.demo_dbt.CC_PaymentNew_FinalView in tests/fixtures/corpus/shier__dbt__v4-2037-models-scale/manifest.json, verbatim below this header.

Select
	[ID],[CreateDate],[ModifyDate],[UserID],[PaymentTypeID],[CouponID],[IsActive],[Success],[OrderTotal],[OrderDiscount],[ChargeAmount],
	[CardName],[CardCity],[CardAddress],[CardState],[CardCountry],[Month],[Year],[CardLastFour],[Token],[PayerId],
	[IsApproved],[AuthorizationCode],[ResponseCode],[ResponseReasonCode],[TransactionID],[ErrorCode],[ErrorTransactionID],[PaymentStatus]
From stg.[CC_PaymentNew_Incr] 
Where [dbt_valid_to] is null